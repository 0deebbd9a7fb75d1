import Foundation
import Testing
@testable import FieldlineServer

/// Runs the real `fieldline` binary that `swift build` made next to the test bundle.
struct FieldlineBinary {
    let url: URL

    init() throws {
        // The test runner executable lives in the build folder, next to the products.
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            runner.deletingLastPathComponent().appendingPathComponent("fieldline"),
            packageRoot.appendingPathComponent(".build/debug/fieldline"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestSetupError("no fieldline binary in \(candidates.map(\.path)): build with swift build --build-tests")
        }
        url = found
    }

    /// Runs it with `arguments` and exactly `environment`; returns exit status, stdout, stderr.
    /// The waiting happens on a dispatch thread: blocking one of the few threads Swift's
    /// concurrency runs every test on would stall the other tests' timers meanwhile.
    func run(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, out: String, err: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments, environment: environment) })
            }
        }
    }

    private func runBlocking(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

@Suite("fieldline command line")
struct CommandLineTests {
    @Test("migrate --dry-run lists pending files, migrate applies them, tenant/user/api-key create work")
    func adminCommands() async throws {
        let binary = try FieldlineBinary()
        let admin = try TestDatabase.adminSettings()
        let name = "cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withPostgres(admin, logger: TestDatabase.logger, poolSize: 1) { database in
            try await database.client.query(.init(unsafeSQL: "CREATE DATABASE \(name)"), logger: database.logger)
        }
        let settings = admin.with(database: name)
        defer { Task { await TestDatabase.drop(settings) } }
        let url = "postgres://\(settings.username):\(settings.password ?? "")@\(settings.host):\(settings.port)/\(name)"
        let env = ["DATABASE_URL": url, "SQL_DIR": TestDatabase.sqlDirectory, "BCRYPT_COST": "4", "FIELDLINE_PASSWORD": "a long enough password"]

        let dryRun = try await binary.run(["migrate", "--dry-run"], environment: env)
        #expect(dryRun.status == 0)
        #expect(dryRun.out.contains("pending  001_tenancy.sql"))
        let migrate = try await binary.run(["migrate"], environment: env)
        #expect(migrate.out.contains("applied  005_conversations.sql"))
        #expect(try await binary.run(["migrate"], environment: env).out.hasPrefix("schema is current"))

        let tenant = try await binary.run(["tenant", "create", "--name", "Acme Logistics", "--slug", "acme"], environment: env)
        #expect(tenant.status == 0)
        #expect(tenant.out.hasPrefix("tenant acme created: "))
        let again = try await binary.run(["tenant", "create", "--name", "Acme", "--slug", "acme"], environment: env)
        #expect(again.status != 0)
        #expect(again.err.contains("already exists"))

        let user = try await binary.run(["user", "create", "--tenant", "acme", "--email", "Ana@Acme.example", "--name", "Ana", "--role", "admin"], environment: env)
        #expect(user.status == 0)
        #expect(user.out.hasPrefix("user ana@acme.example (admin) created"))
        let badRole = try await binary.run(["user", "create", "--tenant", "acme", "--email", "b@acme.example", "--name", "B", "--role", "boss"], environment: env)
        #expect(badRole.status != 0)
        let unknownTenant = try await binary.run(["api-key", "create", "--tenant", "nope", "--name", "K", "--scope", "network:read"], environment: env)
        #expect(unknownTenant.err.contains("no tenant with slug 'nope'"))

        let key = try await binary.run(["api-key", "create", "--tenant", "acme", "--name", "SAP", "--scope", "network:read", "--scope", "users:read"], environment: env)
        #expect(key.status == 0)
        let secret = try #require(key.out.split(separator: "\n").last.map(String.init))
        #expect(secret.hasPrefix("fl_live_") && secret.count == 48)

        // Development mode: off by default, switched by the operator, read back from the database.
        #expect(try await binary.run(["tenant", "development-mode", "--tenant", "acme"], environment: env).out == "tenant acme: development mode off\n")
        let enabled = try await binary.run(["tenant", "development-mode", "--tenant", "ACME", "--enable"], environment: env)
        #expect(enabled.status == 0, "\(enabled.err)")
        #expect(enabled.out == "tenant acme: development mode on\n")
        let stored = try await withPostgres(settings, logger: TestDatabase.logger, poolSize: 1) { database in
            try await database.client.query("SELECT development_mode FROM tenants WHERE slug = 'acme'", logger: database.logger)
                .first { try $0.decode(Bool.self) }
        }
        #expect(stored == true)
        #expect(try await binary.run(["tenant", "development-mode", "--tenant", "acme"], environment: env).out == "tenant acme: development mode on\n")
        #expect(try await binary.run(["tenant", "development-mode", "--tenant", "acme", "--disable"], environment: env).out == "tenant acme: development mode off\n")
        let both = try await binary.run(["tenant", "development-mode", "--tenant", "acme", "--enable", "--disable"], environment: env)
        #expect(both.status != 0)
        #expect(both.err.contains("not both"))
        #expect(try await binary.run(["tenant", "development-mode", "--tenant", "nope", "--enable"], environment: env).err.contains("no tenant with slug 'nope'"))
    }

    @Test("serve refuses a bad configuration with one line naming the variable")
    func serveConfigErrors() async throws {
        let binary = try FieldlineBinary()
        let base = ["DATABASE_URL": "postgres://u:p@127.0.0.1:1/db", "MASTER_KEY": String(repeating: "ab", count: 32)]
        var shortSecret = base
        shortSecret["JWT_SECRET"] = "too-short"
        let result = try await binary.run(["serve"], environment: shortSecret)
        #expect(result.status != 0)
        let lines = result.err.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("configuration error: JWT_SECRET must be at least 32 bytes") == true)
        let missing = try await binary.run(["serve"], environment: ["JWT_SECRET": String(repeating: "s", count: 32)])
        #expect(missing.err.contains("DATABASE_URL is not set"))
    }
}
