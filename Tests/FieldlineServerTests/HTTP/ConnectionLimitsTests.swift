import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Connections that used to stay open forever (issue 15): half requests, unknown methods,
/// bytes that are not HTTP, huge heads. Each is answered with a 400 or closed within its timeout.
/// The waits are generous (a loaded test run stalls for seconds); without the limits the
/// connections stay open however long one waits.
@Suite("Connection timeouts and request head limits")
struct ConnectionLimitsTests {
    /// Short limits, so the test waits seconds, not minutes.
    static func limit(_ config: inout AppConfig) {
        config.http.headerTimeout = .seconds(1)
        config.http.idleTimeout = .seconds(2)
        config.http.maxHeaderBytes = 8192
        config.http.maxHeaderCount = 50
    }

    @Test("a request head that never finishes is closed after the header timeout")
    func halfHead() async throws {
        try await TestApp.runLive(configure: Self.limit) { client, _ in
            let port = try #require(client.port)
            let outcome = try await RawConnection.send("GET /health HTTP/1.1\r\nHost: x\r\n", port: port, wait: .seconds(15))
            #expect(outcome.closed)
            #expect(outcome.elapsed >= .milliseconds(900), "\(outcome.elapsed)")
            #expect(outcome.text.isEmpty)
        }
    }

    @Test("a body that stops arriving is closed after the idle timeout")
    func halfBody() async throws {
        try await TestApp.runLive(configure: Self.limit) { client, _ in
            let port = try #require(client.port)
            let head = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\""
            let outcome = try await RawConnection.send(head, port: port, wait: .seconds(15))
            #expect(outcome.closed)
            #expect(outcome.elapsed >= .milliseconds(1900), "\(outcome.elapsed)")
        }
    }

    @Test("what cannot be parsed gets a 400 JSON error and a close", arguments: [
        ("an unknown method", Array("BREW /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
        ("bytes that are not UTF-8 in the request line", Array("GET /".utf8) + [0xFF, 0xFE, 0x00, 0x80] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
        ("an 80 KB header", Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 80 * 1024))\r\n\r\n".utf8)),
        ("10,000 headers", Array(("GET /health HTTP/1.1\r\nHost: x\r\n" + (0..<10_000).map { "X-H\($0): v\r\n" }.joined() + "\r\n").utf8)),
        ("garbage", Array("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n".utf8)),
    ] as [(String, [UInt8])])
    func unparsable(_ what: String, bytes: [UInt8]) async throws {
        try await TestApp.runLive(configure: Self.limit) { client, _ in
            let port = try #require(client.port)
            let outcome = try await RawConnection.send(bytes, port: port, wait: .seconds(15))
            #expect(outcome.closed, "\(what): still open")
            #expect(outcome.text.hasPrefix("HTTP/1.1 400"), "\(what): \(outcome.text.prefix(200))")
            #expect(outcome.text.contains(#""code":"bad_request""#), "\(what): \(outcome.text.prefix(300))")
        }
    }

    @Test("well-formed requests still work, and garbage after one is closed, not left hanging")
    func keepAlive() async throws {
        try await TestApp.runLive(configure: Self.limit) { client, _ in
            let port = try #require(client.port)
            // Two requests on one connection are both answered; it is closed once idle.
            let two = "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"
            let fine = try await RawConnection.send(two, port: port, wait: .seconds(15))
            #expect(fine.text.components(separatedBy: "HTTP/1.1 200").count == 3, "\(fine.text)")
            #expect(fine.closed)
            #expect(fine.elapsed >= .milliseconds(1900), "\(fine.elapsed)")
            let then = try await RawConnection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nBREW / HTTP/1.1\r\n\r\n", port: port, wait: .seconds(15))
            #expect(then.text.hasPrefix("HTTP/1.1 200"), "\(then.text)")
            #expect(then.closed)
        }
    }
}
