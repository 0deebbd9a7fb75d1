import Foundation
import ArgumentParser
import FieldlineServer
import Logging

/// `fieldline migrate`: apply the numbered SQL files in `SQL_DIR`.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations from SQL_DIR (default ./sql).")

    @Flag(help: "List the pending migrations without applying them.")
    var dryRun = false

    func run() async throws {
        let settings = try CommandEnvironment.database()
        let files = try MigrationFile.load(from: CommandEnvironment.sqlDirectory)
        let logger = CommandEnvironment.logger
        let dryRun = self.dryRun
        try await settings.checkReachable(logger: logger)
        let pending = try await withPostgres(settings, logger: logger) { database in
            try await Migrator(client: database.client, files: files, logger: logger).migrate(dryRun: dryRun)
        }
        if pending.isEmpty {
            print("schema is current (\(files.count) migrations)")
        } else {
            for file in pending { print(dryRun ? "pending  \(file.filename)" : "applied  \(file.filename)") }
        }
    }
}

/// Settings shared by the commands that talk to the database directly.
enum CommandEnvironment {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static func database() throws -> DatabaseSettings {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            throw ConfigError(variable: "DATABASE_URL", problem: "is not set")
        }
        return try DatabaseSettings(url: url)
    }

    static var sqlDirectory: String { environment["SQL_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "sql" }

    static var logLevel: Logger.Level {
        environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }

    static var logger: Logger {
        var logger = Logger(label: "fieldline")
        logger.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .warning
        return logger
    }

    static var passwordHasher: PasswordHasher {
        PasswordHasher(cost: environment["BCRYPT_COST"].flatMap(UInt8.init) ?? 12)
    }
}
