import Foundation
import Testing
@testable import FieldlineServer

/// What the command line prints when the database refuses: PSQLError's own description is a
/// fixed "Generic description" text, so these check that the server's message, SQLSTATE, detail
/// and hint reach the operator, and that the command fails.
@Suite("fieldline command line: database errors")
struct CommandLineDatabaseErrorTests {
    /// A new, empty database (no migrations) and the `DATABASE_URL` naming it.
    private static func emptyDatabase() async throws -> (settings: DatabaseSettings, url: String) {
        let admin = try TestDatabase.adminSettings()
        let name = "cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withPostgres(admin, logger: TestDatabase.logger, poolSize: 1) { database in
            try await database.client.query(.init(unsafeSQL: "CREATE DATABASE \(name)"), logger: database.logger)
        }
        let settings = admin.with(database: name)
        return (settings, "postgres://\(settings.username):\(settings.password ?? "")@\(settings.host):\(settings.port)/\(name)")
    }

    @Test("a command on a database that was never migrated names the missing table and its SQLSTATE")
    func unmigratedDatabase() async throws {
        let binary = try FieldlineBinary()
        let (settings, url) = try await Self.emptyDatabase()
        let result = try await binary.run(["tenant", "create", "--name", "Acme", "--slug", "acme"], environment: ["DATABASE_URL": url, "BCRYPT_COST": "4"])
        await TestDatabase.drop(settings)
        #expect(result.status != 0)
        #expect(result.err.contains(#"database error: relation "tenants" does not exist (SQLSTATE 42P01)"#), "\(result.err)")
        #expect(!result.err.contains("Generic description"))
    }

    @Test("a failing migration prints the server's message, SQLSTATE, detail and hint")
    func failingMigration() async throws {
        let binary = try FieldlineBinary()
        let (settings, url) = try await Self.emptyDatabase()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fieldline-sql-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            CREATE TABLE first_step (id int);
            DO $$ BEGIN
                RAISE EXCEPTION 'the site table is locked' USING ERRCODE = '55P03',
                    DETAIL = 'held by the nightly backup', HINT = 'run it again when the backup ends';
            END $$;
            """.write(to: folder.appendingPathComponent("001_locked.sql"), atomically: true, encoding: .utf8)
        let result = try await binary.run(["migrate"], environment: ["DATABASE_URL": url, "SQL_DIR": folder.path])
        await TestDatabase.drop(settings)
        #expect(result.status != 0)
        #expect(result.err.contains("migration 001_locked.sql failed at statement 2, nothing of it was applied: database error: the site table is locked (SQLSTATE 55P03); detail: held by the nightly backup; hint: run it again when the backup ends"), "\(result.err)")
    }

    @Test("a command whose database refuses the connection says so at once, for a migration as for a tenant")
    func unreachableDatabase() async throws {
        let binary = try FieldlineBinary()
        // Nothing listens on port 1 of the loopback interface.
        let environment = ["DATABASE_URL": "postgres://fieldline:secret@127.0.0.1:1/fieldline", "SQL_DIR": TestDatabase.sqlDirectory]
        for arguments in [["migrate"], ["tenant", "create", "--name", "Acme", "--slug", "acme"]] {
            let result = try await binary.run(arguments, environment: environment)
            #expect(result.status != 0)
            #expect(result.err.contains("database error (connectionError): "), "\(arguments): \(result.err)")
            #expect(result.err.lowercased().contains("connection refused"), "\(arguments): \(result.err)")
        }
    }
}
