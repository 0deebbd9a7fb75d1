import Foundation
import Logging
import PostgresNIO
@testable import FieldlineServer

/// Real PostgreSQL for tests: the schema is migrated once into a template database, and each
/// test gets its own copy (`CREATE DATABASE … TEMPLATE …`), which is fast and isolated.
enum TestDatabase {
    static let templateName = "fieldline_template"

    /// The cluster `scripts/test` started (`FIELDLINE_TEST_DATABASE_URL`).
    static func adminSettings() throws -> DatabaseSettings {
        guard let url = ProcessInfo.processInfo.environment["FIELDLINE_TEST_DATABASE_URL"] else {
            throw TestSetupError("FIELDLINE_TEST_DATABASE_URL is not set: run the tests with scripts/test")
        }
        return try DatabaseSettings(url: url, variable: "FIELDLINE_TEST_DATABASE_URL")
    }

    /// The repository's `sql/` folder.
    static var sqlDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["SQL_DIR"] { return dir }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sql").path
    }

    static let logger: Logger = {
        var logger = Logger(label: "fieldline.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, migrated database for one test; dropped by `drop`. Waits for one of
    /// `TestDatabaseSlots`' places first.
    static func create() async throws -> DatabaseSettings {
        try await TemplateDatabase.shared.ensure()
        let admin = try adminSettings()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        await TestDatabaseSlots.shared.acquire(name)
        do {
            try await withPostgres(admin, logger: logger, poolSize: 1) { database in
                try await database.client.query(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(templateName)"), logger: logger)
            }
        } catch {
            await TestDatabaseSlots.shared.release(name)
            throw error
        }
        return admin.with(database: name)
    }

    /// Drops a test database (and frees its slot).
    static func drop(_ settings: DatabaseSettings) async {
        if let admin = try? adminSettings() {
            _ = try? await withPostgres(admin, logger: logger, poolSize: 1) { database in
                try await database.client.query(
                    PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(settings.database) WITH (FORCE)"), logger: logger)
            }
        }
        await TestDatabaseSlots.shared.release(settings.database)
    }
}

/// Caps how many test databases (each with an app of about nine connections) exist at once.
/// Swift Testing starts every test together; on two cores, two hundred apps connecting at once
/// made connection setup, not the code under test, miss deadlines (and PostgreSQL's 200 slots).
actor TestDatabaseSlots {
    static let shared = TestDatabaseSlots(limit: 16)
    private let limit: Int
    private var holders: Set<String> = []
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    /// Waits for a free slot and gives it to the database `name`.
    func acquire(_ name: String) async {
        while holders.count >= limit {
            await withCheckedContinuation { waiters.append($0) }
        }
        holders.insert(name)
    }

    /// Frees the slot of `name`, if it holds one (databases made elsewhere hold none).
    func release(_ name: String) {
        guard holders.remove(name) != nil else { return }
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}

/// Builds the migrated template once per test process.
actor TemplateDatabase {
    static let shared = TemplateDatabase()
    private var task: Task<Void, any Error>?

    func ensure() async throws {
        if task == nil {
            task = Task { try await Self.build() }
        }
        try await task?.value
    }

    private static func build() async throws {
        let admin = try TestDatabase.adminSettings()
        let logger = TestDatabase.logger
        let name = TestDatabase.templateName
        try await withPostgres(admin, logger: logger, poolSize: 1) { database in
            try await database.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            try await database.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let files = try MigrationFile.load(from: TestDatabase.sqlDirectory)
        try await withPostgres(admin.with(database: name), logger: logger, poolSize: 1) { database in
            try await Migrator(client: database.client, files: files, logger: logger).migrate()
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
