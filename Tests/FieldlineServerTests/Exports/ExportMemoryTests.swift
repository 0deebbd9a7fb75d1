import AsyncHTTPClient
import FieldlineDomain
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import FieldlineServer

/// The export streams: a tenant's 50,000 jobs go out while the server's memory stays flat.
/// Measured on the real `fieldline serve` in a process of its own, so other tests running
/// meanwhile in this one do not blur the number: Linux's peak resident size (`VmHWM`) is reset
/// (`clear_refs`) after a warm-up and read after the download.
@Suite("Exports: memory stays flat on a large tenant")
struct ExportMemoryTests {
    /// A free loopback port (bound, read, released).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close().get()
        return port
    }

    /// Stops the server and waits for it without blocking a thread of Swift's concurrency.
    static func stop(_ process: Process) async {
        process.terminate()
        for _ in 0..<200 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Kilobytes of a `/proc/<pid>/status` line (`VmRSS`, `VmHWM`).
    static func kilobytes(_ field: String, of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    }

    @Test("50,000 jobs export as CSV with the server's peak memory growing by far less than the file")
    func fiftyThousandJobs() async throws {
        let binary = try FieldlineBinary()
        try await TestApp.withDatabase { settings, fixtures in
            let tenant = try await fixtures.provisioning.createTenant(name: "Big", slug: "big")
            let key = try await fixtures.provisioning.createAPIKey(tenantID: tenant.id, name: "ERP", scopes: ["jobs:read"])
            let count = 50_000
            // In transactions of 5,000: one long write transaction anywhere in the cluster holds
            // back every other test's event feed (its horizon is the oldest open writer's).
            for first in stride(from: 1, through: count, by: 5_000) {
                try await fixtures.database.withTenant(tenant.id) { connection in
                    try await connection.query("""
                        INSERT INTO jobs (tenant_id, id, order_number, title, description, latitude, longitude, address, required_tags, created_by)
                        SELECT \(tenant.id), uuid_v7(), 'BIG-' || g, 'Tow a van ' || g, repeat('Blue Ford Transit, flat battery. ', 6),
                               40.4168, -3.7038, 'Gran Vía ' || g || ', Madrid', ARRAY['tow', 'heavy'], 'api_key:' || \(key.id)::text
                        FROM generate_series(\(first), \(first + 4_999)) g
                        """, logger: fixtures.database.logger)
                }
            }
            let port = try await Self.freePort()
            let url = "postgres://\(settings.username):\(settings.password ?? "")@\(settings.host):\(settings.port)/\(settings.database)"
            let process = Process()
            process.executableURL = binary.url
            process.arguments = ["serve"]
            process.environment = [
                "DATABASE_URL": url, "JWT_SECRET": TestApp.jwtSecret, "MASTER_KEY": String(repeating: "ab", count: 32),
                "PORT": String(port), "HOST": "127.0.0.1", "SQL_DIR": TestDatabase.sqlDirectory,
                "MEDIA_DIR": NSTemporaryDirectory() + "fieldline-export-media", "LOG_LEVEL": "error", "RETENTION_INTERVAL_SECONDS": "0",
            ]
            let log = NSTemporaryDirectory() + "fieldline-export-\(port).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try process.run()
            let base = "http://127.0.0.1:\(port)"
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                var ready = false
                for _ in 0..<150 where !ready && process.isRunning {
                    ready = (try? await http.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(2)).status == .ok) ?? false
                    if !ready { try await Task.sleep(for: .milliseconds(200)) }
                }
                try #require(ready, "the server did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

                /// Downloads the export, counting bytes and lines without keeping them.
                func download(_ query: String) async throws -> (bytes: Int, lines: Int) {
                    var request = HTTPClientRequest(url: base + "/v1/exports/jobs?" + query)
                    request.headers.add(name: "authorization", value: "Bearer \(key.secret)")
                    let response = try await http.execute(request, timeout: .seconds(300))
                    #expect(response.status == .ok)
                    var (bytes, lines) = (0, 0)
                    for try await chunk in response.body {
                        bytes += chunk.readableBytes
                        lines += chunk.readableBytesView.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                    }
                    return (bytes, lines)
                }
                let today = RFC3339.format(Date()).prefix(10)
                // Warm up (pools, code paths), then measure the peak from here.
                _ = try await download("from=\(today)&to=\(today)&status=assigned")
                try "5".write(toFile: "/proc/\(process.processIdentifier)/clear_refs", atomically: false, encoding: .utf8)
                let before = try Self.kilobytes("VmRSS", of: process.processIdentifier)
                let export = try await download("from=\(today)&to=\(today)")
                let peak = try Self.kilobytes("VmHWM", of: process.processIdentifier)
                #expect(export.lines == count + 1, "a header and every job")
                #expect(export.bytes > 20_000_000, "a file of \(export.bytes) bytes")
                let grown = (peak - before) * 1024
                // Measured: about 4 MB streaming, about 70 MB when the whole file was built in memory.
                #expect(grown < min(16 << 20, export.bytes / 2), "the server's peak memory grew by \(grown) bytes for a \(export.bytes)-byte export")
            } catch {
                try? await http.shutdown()
                await Self.stop(process)
                throw error
            }
            try await http.shutdown()
            await Self.stop(process)
        }
    }
}
