import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
@testable import FieldlineServer

/// Two application instances on one test database, both serving on real sockets (`.live`).
enum TwoInstances {
    static func run(_ body: @Sendable (any TestClientProtocol, any TestClientProtocol, Fixtures) async throws -> Void) async throws {
        let settings = try await TestDatabase.create()
        let config = testConfig(database: settings)
        do {
            let first = try await buildApplication(config: config, logger: TestDatabase.logger)
            let second = try await buildApplication(config: config, logger: TestDatabase.logger)
            let tokens = await TokenService(secret: config.jwtSecret, ttl: config.jwtTTL)
            try await withPostgres(settings, logger: TestDatabase.logger) { database in
                let fixtures = Fixtures(
                    settings: settings, database: database, tokens: tokens,
                    provisioning: Provisioning(database: database, hasher: PasswordHasher(cost: 4)))
                try await first.test(.live) { a in
                    try await second.test(.live) { b in try await body(a, b, fixtures) }
                }
            }
        } catch {
            await TestDatabase.drop(settings)
            throw error
        }
        await TestDatabase.drop(settings)
    }
}

/// No wait in these tests is unbounded: a wait that passes this fails the test instead.
struct StreamTimeout: Error, CustomStringConvertible {
    let description: String
}

/// Messages received by a test's WebSocket, read with a bounded wait.
actor StreamInbox {
    private var messages: [JSON] = []
    private var closed = false

    func append(_ message: JSON) { messages.append(message) }
    func close() { closed = true }

    private func take() -> JSON? { messages.isEmpty ? nil : messages.removeFirst() }
    private var isClosed: Bool { closed && messages.isEmpty }

    /// The next message, or a `StreamTimeout` after `seconds`.
    func next(within seconds: Double = 15) async throws -> JSON {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let message = take() { return message }
            if isClosed { throw StreamTimeout(description: "the stream closed while a message was expected") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw StreamTimeout(description: "no stream message within \(seconds) s")
    }

    /// The next `count` events (after the `stream.ready` message was taken).
    func events(_ count: Int) async throws -> [JSON] {
        var events: [JSON] = []
        for _ in 0..<count { events.append(try await next()) }
        return events
    }
}

/// Opens `/v1/stream` on a live instance, runs `body` with its inbox (after `stream.ready`
/// arrived, which `body` receives too), then closes the socket.
func withStream<T: Sendable>(
    _ client: any TestClientProtocol, query: String = "", token: String?,
    _ body: @Sendable (StreamInbox, JSON) async throws -> T
) async throws -> T {
    let port = try require(client.port)
    let inbox = StreamInbox()
    let (stop, stopper) = AsyncStream.makeStream(of: Void.self)
    var configuration = WebSocketClientConfiguration()
    if let token { configuration.additionalHeaders[.authorization] = "Bearer \(token)" }
    let url = "ws://127.0.0.1:\(port)/v1/stream\(query)"
    let socket = Task {
        defer { Task { await inbox.close() } }
        try await WebSocketClient.connect(url: url, configuration: configuration, logger: TestDatabase.logger) { inbound, outbound, _ in
            let reader = Task {
                // Whatever ends the messages (the server's close included), the inbox learns it.
                defer { Task { await inbox.close() } }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message {
                        await inbox.append((try? JSONDecoder().decode(JSON.self, from: Data(text.utf8))) ?? .null)
                    }
                }
            }
            for await _ in stop {}
            try? await outbound.close(.normalClosure, reason: nil)
            _ = try? await reader.value
        }
    }
    do {
        let ready = try await inbox.next()
        guard ready["type"].string == "stream.ready" else { throw StreamTimeout(description: "expected stream.ready, got \(ready)") }
        let result = try await body(inbox, ready)
        stopper.finish()
        _ = try? await socket.value
        return result
    } catch {
        stopper.finish()
        socket.cancel()
        throw error
    }
}

/// `#require` without the Testing macro, for helpers.
private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw StreamTimeout(description: "this needs a live test client (.live)") }
    return value
}
