import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Migrations")
struct MigratorTests {
    /// A fresh empty database (not from the template) for migration tests.
    private func withEmptyDatabase(_ body: @Sendable (Database) async throws -> Void) async throws {
        let admin = try TestDatabase.adminSettings()
        let name = "m_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withPostgres(admin, logger: TestDatabase.logger, poolSize: 1) { database in
            try await database.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: database.logger)
        }
        let settings = admin.with(database: name)
        do {
            try await withPostgres(settings, logger: TestDatabase.logger, poolSize: 4) { try await body($0) }
        } catch {
            await TestDatabase.drop(settings)
            throw error
        }
        await TestDatabase.drop(settings)
    }

    private func file(_ name: String, _ sql: String) throws -> MigrationFile {
        try #require(MigrationFile(filename: name, sql: sql))
    }

    @Test("applies in order once, lists pending in a dry run, records checksums")
    func appliesInOrder() async throws {
        try await withEmptyDatabase { database in
            let files = [
                try file("001_a.sql", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);"),
                try file("002_b.sql", "CREATE FUNCTION two() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 2; END $$;"),
            ]
            let migrator = Migrator(client: database.client, files: files, logger: database.logger)
            #expect(try await migrator.migrate(dryRun: true).map(\.filename) == ["001_a.sql", "002_b.sql"])
            #expect(try await migrator.pending().count == 2)
            #expect(try await migrator.migrate().map(\.filename) == ["001_a.sql", "002_b.sql"])
            #expect(try await migrator.migrate().isEmpty)
            let two = try await database.client.query("SELECT two() + (SELECT id FROM a)", logger: database.logger).first { try $0.decode(Int.self) }
            #expect(two == 3)
        }
    }

    @Test("a file changed after it was applied is refused with a clear message")
    func changedFile() async throws {
        try await withEmptyDatabase { database in
            let original = [try file("001_a.sql", "CREATE TABLE a (id int);")]
            try await Migrator(client: database.client, files: original, logger: database.logger).migrate()
            let edited = [try file("001_a.sql", "CREATE TABLE a (id bigint);")]
            let error = await #expect(throws: MigrationError.self) {
                try await Migrator(client: database.client, files: edited, logger: database.logger).migrate()
            }
            #expect(error?.description.contains("001_a.sql was changed after it was applied") == true)
        }
    }

    @Test("a failing file is rolled back whole and named")
    func failingFile() async throws {
        try await withEmptyDatabase { database in
            let files = [try file("001_bad.sql", "CREATE TABLE ok (id int);\nSELECT * FROM missing_table;")]
            let error = await #expect(throws: MigrationError.self) {
                try await Migrator(client: database.client, files: files, logger: database.logger).migrate()
            }
            #expect(error?.description.contains("001_bad.sql failed at statement 2") == true)
            let exists = try await database.client.query("SELECT to_regclass('ok') IS NOT NULL", logger: database.logger).first { try $0.decode(Bool.self) }
            #expect(exists == false)
        }
    }

    @Test("two instances migrating at once do not race")
    func concurrentStarts() async throws {
        try await withEmptyDatabase { database in
            let files = try MigrationFile.load(from: TestDatabase.sqlDirectory)
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await Migrator(client: database.client, files: files, logger: database.logger).migrate().count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(applied.sorted() == [0, 0, files.count])
            let recorded = try await database.client.query("SELECT count(*)::int FROM schema_migrations", logger: database.logger).first { try $0.decode(Int.self) }
            #expect(recorded == files.count)
        }
    }

    @Test("file names and duplicates are checked")
    func fileRules() throws {
        #expect(MigrationFile(filename: "abc.sql", sql: "") == nil)
        #expect(MigrationFile(filename: "000_zero.sql", sql: "") == nil)
        #expect(MigrationFile(filename: "012_x.sql", sql: "")?.version == 12)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sql-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "SELECT 1;".write(to: dir.appendingPathComponent("001_a.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: dir.appendingPathComponent("001_b.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.duplicateVersion("001_a.sql", "001_b.sql")) { try MigrationFile.load(from: dir.path) }
        #expect(throws: MigrationError.self) { try MigrationFile.load(from: "/nonexistent/sql") }
    }
}

@Suite("SQL statement splitter")
struct SQLStatementSplitterTests {
    @Test("splits on semicolons outside strings, identifiers, comments and dollar quotes")
    func splitting() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE "odd;name" (v text DEFAULT 'it''s; fine');
            /* block; comment /* nested; */ still */ INSERT INTO t VALUES ('a;b');
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;
            DO $$ BEGIN PERFORM 1; END $$;
            SELECT $1
            """
        let statements = SQLStatementSplitter.split(sql)
        #expect(statements.count == 5)
        #expect(statements[0].hasSuffix("DEFAULT 'it''s; fine')"))
        #expect(statements[1].hasSuffix("VALUES ('a;b')"))
        #expect(statements[2].contains("RETURN 1; END $body$"))
        #expect(statements[3] == "DO $$ BEGIN PERFORM 1; END $$")
        #expect(statements[4] == "SELECT $1")
        #expect(SQLStatementSplitter.split("-- only a comment\n;;").isEmpty)
    }
}
