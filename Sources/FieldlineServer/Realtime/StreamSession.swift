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
    /// Re-checks the account of a user's stream when it wakes (see `AuthMiddleware.current`).
    let auth: AuthMiddleware
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

    /// Sent instead of `stream.ready` when `?after=` is older than what retention kept; the
    /// socket then closes with `cursorTooOldCloseCode`. The client reads the current state
    /// through the API and reconnects without `?after=`.
    struct TooOld: Encodable {
        let type = "stream.cursor_too_old"
        let after: String
        let prunedThrough: String
        let message = "events after this cursor were pruned (too old); resync and reconnect without ?after="
    }

    /// The close code after `stream.cursor_too_old` (private-use range, like HTTP 410).
    static let cursorTooOldCloseCode: UInt16 = 4410

    /// Serves the socket until the client closes, the server shuts down, or reading fails
    /// (then the socket closes with 1011 and the client reconnects with `?after=`).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let tenantID = request.principal.tenantID
        guard let subscription = await hub.subscribe(tenantID: tenantID, userID: request.principal.userID) else {
            try await outbound.close(.goingAway, reason: "server shutting down")
            return
        }
        do {
            try await serve(subscription, inbound: inbound, outbound: outbound)
        } catch {
            await hub.unsubscribe(subscription.id)
            throw error
        }
        await hub.unsubscribe(subscription.id)
    }

    /// Sends `stream.ready`, catches up, then reads again on every wake-up, while draining the
    /// client's frames; subscribed before the first read, so nothing committed after it is missed.
    private func serve(_ subscription: (id: UUID, wakeUps: AsyncStream<Void>), inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let start: Int64
        if let after = request.after {
            let pruned = try await reader.prunedThrough(tenantID: request.principal.tenantID)
            guard after >= pruned else {
                try await outbound.writeTextMessage(Self.json(TooOld(after: String(after), prunedThrough: String(pruned))))
                try await outbound.close(.unknown(Self.cursorTooOldCloseCode), reason: "cursor too old; resync")
                return
            }
            start = after
        } else {
            start = try await reader.tail(tenantID: request.principal.tenantID)
        }
        try await outbound.writeTextMessage(Self.json(Ready(after: String(start))))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var cursor = start
                do {
                    try await deliver(after: &cursor, to: outbound)
                    var lastRead = ContinuousClock.now
                    var accountChanged = false
                    for await _ in subscription.wakeUps {
                        guard try await accountStillValid() else {
                            accountChanged = true
                            break
                        }
                        let wait = lastRead + Self.minimumReadInterval - ContinuousClock.now
                        if wait > .zero { try await Task.sleep(for: wait) }
                        lastRead = ContinuousClock.now
                        try await deliver(after: &cursor, to: outbound)
                    }
                    // The wake-ups end when the hub shuts down, when the client left, or when the
                    // user's account changed.
                    let revoked = await hub.wasRevoked(subscription.id)
                    if Task.isCancelled {
                    } else if accountChanged || revoked {
                        try await outbound.close(.policyViolation, reason: "account changed; reconnect to be authorized again")
                    } else {
                        try await outbound.close(.goingAway, reason: "server shutting down")
                    }
                } catch where Task.isCancelled {
                } catch {
                    logger.warning("stream read failed; closing the socket", metadata: ["error": .string(error.logDescription)])
                    try? await outbound.close(.unexpectedServerError, reason: "stream interrupted; reconnect with ?after=")
                }
            }
            // The client sends nothing we need; this ends when the socket closes.
            for try await _ in inbound {}
            group.cancelAll()
        }
    }

    /// Whether the stream's user (if any) still has the account it was authorized with: not
    /// disabled, not deleted, same role. API keys are looked up on connection only.
    private func accountStillValid() async throws -> Bool {
        guard let userID = request.principal.userID else { return true }
        return try await auth.current(request.principal, userID: userID) == request.principal
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
