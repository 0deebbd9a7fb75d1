import AsyncHTTPClient
import Foundation
import NIOCore

/// The Python receiver of `Tests/Fixtures/webhooks/receiver.py`, which verifies each delivery
/// with the Standard Webhooks reference library (`standardwebhooks` from PyPI; `scripts/test`
/// installs it when missing). Paths choose how it answers: `/ok`, `/flaky`, `/hang`, `/gone`,
/// `/redirect`, `/slow-retry`.
final class WebhookReceiver: Sendable {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/webhooks/receiver.py")

    /// One delivery as the receiver saw it.
    struct Entry: Decodable, Sendable {
        let path: String
        let webhookId: String
        let verified: Bool
        let error: String?
        let signatures: String
        let answered: Int
        let at: Double
        let body: Body

        struct Body: Decodable, Sendable {
            let id: String
            let type: String
            let cursor: String
        }

        enum CodingKeys: String, CodingKey {
            case path, verified, error, signatures, answered, at, body
            case webhookId = "webhook_id"
        }
    }

    let port: Int
    private let process: Process

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    /// `http://localhost:<port><path>`: a name that resolves to a loopback address.
    func url(_ path: String) -> String { "http://localhost:\(port)\(path)" }

    /// Starts a receiver, runs `body` with it, and stops it.
    static func run<T>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        // The receiver exits when this end closes (see receiver.py), whatever starts it (pyenv shims fork).
        defer { try? input.fileHandleForWriting.close() }
        let line = output.fileHandleForReading.availableData
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw ReceiverError(message: "the receiver did not start (is the standardwebhooks package installed?)")
        }
        let receiver = WebhookReceiver(port: port, process: process)
        do {
            let result = try await body(receiver)
            process.terminate()
            return result
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Tells the receiver which secret each path verifies with.
    func secrets(_ secrets: [String: String]) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/_secrets")
        request.method = .POST
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(secrets)))
        _ = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    }

    /// Every delivery so far, in arrival order.
    func log() async throws -> [Entry] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/_log"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 10 << 20)
        return try JSONDecoder().decode([Entry].self, from: Data(buffer: body))
    }

    /// The log once `done` holds of it, waiting up to `timeout`.
    func log(until done: ([Entry]) -> Bool, timeout: Duration = .seconds(20)) async throws -> [Entry] {
        let deadline = ContinuousClock.now + timeout
        var entries = try await log()
        while !done(entries), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            entries = try await log()
        }
        return entries
    }

    struct ReceiverError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
