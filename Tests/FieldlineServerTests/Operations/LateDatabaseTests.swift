import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
@testable import FieldlineServer

/// A server started before its database (as a container platform may start them): it cannot ask
/// then whether the database is Citus, which its statements depend on, so it asks until the
/// database answers and is not ready meanwhile. The real binary runs in a process of its own
/// (the answer is kept per process), behind a TCP relay that opens only later.
@Suite("A server started before its database")
struct LateDatabaseTests {
    /// Relays 127.0.0.1:`port` to 127.0.0.1:`target` once started: a database that comes up late.
    static let relay = """
        import socket, sys, threading
        listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", int(sys.argv[1]))); listener.listen(64)
        def pipe(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data: break
                    sink.sendall(data)
            except OSError: pass
            finally:
                for s in (source, sink):
                    try: s.shutdown(socket.SHUT_RDWR)
                    except OSError: pass
        while True:
            client, _ = listener.accept()
            upstream = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
            threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        """

    @Test("before its database answers, /ready is 503 naming the unknown database kind; once it answers, /ready is 200 and the log says so")
    func readyWaitsForTheDatabase() async throws {
        let binary = try FieldlineBinary()
        try await TestApp.withDatabase { settings, _ in
            let dbPort = try await ExportMemoryTests.freePort()
            let port = try await ExportMemoryTests.freePort()
            let url = "postgres://\(settings.username):\(settings.password ?? "")@127.0.0.1:\(dbPort)/\(settings.database)"
            let log = NSTemporaryDirectory() + "fieldline-late-db-\(port).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let server = Process()
            server.executableURL = binary.url
            server.arguments = ["serve"]
            server.environment = [
                "DATABASE_URL": url, "JWT_SECRET": TestApp.jwtSecret, "MASTER_KEY": String(repeating: "ab", count: 32),
                "PORT": String(port), "HOST": "127.0.0.1", "SQL_DIR": TestDatabase.sqlDirectory, "LOG_LEVEL": "info",
                "MEDIA_DIR": NSTemporaryDirectory() + "fieldline-late-db-media", "RETENTION_INTERVAL_SECONDS": "0",
            ]
            server.standardOutput = FileHandle.nullDevice
            server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            let relay = Process()
            relay.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            relay.arguments = ["python3", "-c", Self.relay, String(dbPort), String(settings.port)]
            // Not the test runner's pipes: a relay left running would hold them open. It is stopped
            // with SIGKILL: it inherits the runner's ignored SIGTERM.
            relay.standardOutput = FileHandle.nullDevice
            relay.standardError = FileHandle.nullDevice
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            @Sendable func ready() async throws -> (status: UInt, body: String) {
                let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/ready"), timeout: .seconds(5))
                let body = try await response.body.collect(upTo: 1 << 16)
                return (response.status.code, String(buffer: body))
            }
            try server.run()
            do {
                var answered = false
                for _ in 0..<150 where !answered && server.isRunning {
                    answered = (try? await ready()) != nil
                    if !answered { try await Task.sleep(for: .milliseconds(200)) }
                }
                let before = try await ready()
                #expect(before.status == 503)
                #expect(before.body.contains("\"database_kind\":\"not yet known"), "\(before.body)")
                try relay.run()
                #expect(try await eventually(seconds: 60) { try await ready().status == 200 })
                let text = try String(contentsOfFile: log, encoding: .utf8)
                #expect(text.contains("could not ask whether the database is Citus"), "\(text)")
                #expect(text.contains("the database answered"), "\(text)")
            } catch {
                try? await http.shutdown()
                kill(relay.processIdentifier, SIGKILL)
                await ExportMemoryTests.stop(server)
                throw error
            }
            try await http.shutdown()
            kill(relay.processIdentifier, SIGKILL)
            await ExportMemoryTests.stop(server)
        }
    }
}
