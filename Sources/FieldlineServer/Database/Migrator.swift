import Foundation
import Logging
import PostgresNIO

/// Applies the numbered SQL files in order, each in its own transaction, recording a checksum.
///
/// A session-level advisory lock makes concurrent starts (two instances, or `migrate` while a
/// server boots) take turns; the second finds nothing left to do.
public struct Migrator: Sendable {
    /// Arbitrary constant shared by every Fieldline process: the advisory lock's key.
    static let lockKey: Int64 = 0x46_4C_4D_49_47  // "FLMIG"

    let client: PostgresClient
    let files: [MigrationFile]
    let logger: Logger

    /// A migrator for the given files.
    public init(client: PostgresClient, files: [MigrationFile], logger: Logger) {
        self.client = client
        self.files = files
        self.logger = logger
    }

    /// The files not yet applied, after checking that applied ones are unchanged.
    public func pending() async throws -> [MigrationFile] {
        try await client.withConnection { connection in
            try await self.ensureTable(connection)
            return try await self.pending(connection)
        }
    }

    /// Applies every pending file and returns them. With `dryRun`, applies nothing.
    @discardableResult
    public func migrate(dryRun: Bool = false) async throws -> [MigrationFile] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: self.logger)
            do {
                try await self.ensureTable(connection)
                let pending = try await self.pending(connection)
                if !dryRun {
                    for file in pending { try await self.apply(file, on: connection) }
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: self.logger)
                return pending
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: self.logger)
                throw error
            }
        }
    }

    private func ensureTable(_ connection: PostgresConnection) async throws {
        // Only reached under the lock or for reads; IF NOT EXISTS keeps `pending()` harmless.
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                filename text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
    }

    private func pending(_ connection: PostgresConnection) async throws -> [MigrationFile] {
        var applied: [Int: (String, String)] = [:]
        let rows = try await connection.query(
            "SELECT version, filename, checksum FROM schema_migrations", logger: logger)
        for try await (version, filename, checksum) in rows.decode((Int, String, String).self) {
            applied[version] = (filename, checksum)
        }
        for file in files {
            if let (_, checksum) = applied[file.version], checksum != file.checksum {
                throw MigrationError.changedAfterApply(filename: file.filename, recorded: checksum, current: file.checksum)
            }
        }
        let known = Set(files.map(\.version))
        for (version, (filename, _)) in applied where !known.contains(version) {
            logger.warning("applied migration \(filename) has no file here; is this an older build?")
        }
        return files.filter { applied[$0.version] == nil }
    }

    private func apply(_ file: MigrationFile, on connection: PostgresConnection) async throws {
        let statements = SQLStatementSplitter.split(file.sql)
        try await connection.query("BEGIN", logger: logger)
        for (index, statement) in statements.enumerated() {
            do {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                let message = error.postgresError?.operatorDescription ?? String(describing: error)
                throw MigrationError.failed(filename: file.filename, statement: index + 1, message: message)
            }
        }
        try await connection.query(
            "INSERT INTO schema_migrations (version, filename, checksum) VALUES (\(file.version), \(file.filename), \(file.checksum))",
            logger: logger)
        try await connection.query("COMMIT", logger: logger)
        logger.info("applied migration \(file.filename)")
    }
}
