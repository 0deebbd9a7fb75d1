import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging

/// One connected stream: sends a `stream.ready` message with the starting cursor, then every
/// event the caller may see, in id order, each exactly once, until either side closes.
struct StreamSession: Sendable {
    let request: StreamRequest
    let hub: StreamHub
    let reader: StreamEventReader
    /// Encoded events shared with this instance's other streams.
    let texts: StreamEventTexts
    let logger: Logger

    /// The shortest time between two reads of one stream. Under a steady flow of events a stream
    /// would otherwise read after every publication; pacing it gathers more events per read
    /// (each read is a transaction of its own), for at most this much more latency. An idle
    /// stream still reads at once when woken.
    static let minimumReadInterval: Duration = .milliseconds(25)

    /// The first message: `{"type": "stream.ready", "after": "<cursor>"}`.
    struct Ready: Encodable {
        let type = "stream.ready"
        let after: String
    }

    /// Serves the socket until the client closes, the server shuts down, or reading fails
    /// (then the socket closes with 1011 and the client reconnects with `?after=`).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let tenantID = request.principal.tenantID
        guard let subscription = await hub.subscribe(tenantID: tenantID) else {
            try await outbound.close(.goingAway, reason: "server shutting down")
            return
        }
        do {
            try await serve(from: subscription.wakeUps, inbound: inbound, outbound: outbound)
        } catch {
            await hub.unsubscribe(subscription.id)
            throw error
        }
        await hub.unsubscribe(subscription.id)
    }

    /// Sends `stream.ready`, catches up, then reads again on every wake-up, while draining the
    /// client's frames; subscribed before the first read, so nothing committed after it is missed.
    private func serve(from wakeUps: AsyncStream<Void>, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let start: Int64
        if let after = request.after { start = after } else { start = try await reader.tail(tenantID: request.principal.tenantID) }
        try await outbound.writeTextMessage(Self.json(Ready(after: String(start))))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var cursor = start
                do {
                    try await deliver(after: &cursor, to: outbound)
                    var lastRead = ContinuousClock.now
                    for await _ in wakeUps {
                        let wait = lastRead + Self.minimumReadInterval - ContinuousClock.now
                        if wait > .zero { try await Task.sleep(for: wait) }
                        lastRead = ContinuousClock.now
                        try await deliver(after: &cursor, to: outbound)
                    }
                    // The wake-ups end when the hub shuts down, or when the client left.
                    if !Task.isCancelled { try await outbound.close(.goingAway, reason: "server shutting down") }
                } catch where Task.isCancelled {
                } catch {
                    logger.warning("stream read failed; closing the socket", metadata: ["error": .string(String(describing: error))])
                    try? await outbound.close(.unexpectedServerError, reason: "stream interrupted; reconnect with ?after=")
                }
            }
            // The client sends nothing we need; this ends when the socket closes.
            for try await _ in inbound {}
            group.cancelAll()
        }
    }

    /// Sends every visible event after `cursor`, page by page, advancing it.
    func deliver(after cursor: inout Int64, to outbound: WebSocketOutboundWriter) async throws {
        let viewer = Viewer(request.principal)
        while true {
            let page = try await reader.page(after: cursor, viewer: viewer, texts: texts)
            for event in page.events {
                if let text = page.texts[event.sequence] {
                    try await outbound.writeTextMessage(text)
                } else {
                    let text = try Self.json(event)
                    texts.store(text, for: event.sequence)
                    try await outbound.writeTextMessage(text)
                }
            }
            cursor = page.through
            if !page.isFull { return }
        }
    }

    /// The API's JSON encoding (snake_case keys, RFC 3339 times).
    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try AppRequestContext.encoder.encode(value), as: UTF8.self)
    }
}
