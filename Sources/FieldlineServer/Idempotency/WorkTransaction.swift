import Foundation
import Logging
import PostgresNIO

/// The one transaction a request with an `Idempotency-Key` runs in when its route does its work
/// in one transaction (`IdempotencyMiddleware.singleTransactionRoutes`): the key's claim, the
/// work and the stored response commit together, so a server that dies mid-request leaves
/// nothing behind, and a retry does the work exactly once (issue 15).
///
/// While it is `current`, `Database.withTenant` for the same pool and tenant runs its body in a
/// savepoint of this transaction instead of opening its own.
struct WorkTransaction: Sendable {
    /// The request's tenant; another tenant's statements get a transaction of their own.
    let tenantID: UUID
    /// The pool it came from.
    let pool: ObjectIdentifier
    /// The open transaction's connection.
    let connection: PostgresConnection

    /// The work transaction of the running request, if any.
    @TaskLocal static var current: WorkTransaction?

    /// Runs `body` in a savepoint: an error rolls back only what `body` did, as a transaction
    /// of its own would have, and leaves the request's transaction usable.
    func savepoint<T: Sendable>(logger: Logger, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await connection.query("SAVEPOINT work", logger: logger)
        do {
            let result = try await body(connection)
            try await connection.query("RELEASE SAVEPOINT work", logger: logger)
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK TO SAVEPOINT work", logger: logger)
            _ = try? await connection.query("RELEASE SAVEPOINT work", logger: logger)
            throw error
        }
    }
}

extension Database {
    /// Runs `body` in one transaction scoped to `tenantID` that is the request's
    /// `WorkTransaction` meanwhile, and commits when `body` returns (rolls back when it throws).
    /// Unlike `withTenant`, `body` need not be `@Sendable`: it is the rest of the request.
    func withWorkTransaction<T: Sendable>(_ tenantID: UUID, _ body: (WorkTransaction) async throws -> T) async throws -> T {
        let logger = self.logger
        let pool = ObjectIdentifier(client)
        let written = StreamPublication.Written()
        let result: T = try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            let result: T
            do {
                try await connection.setLocal("app.tenant_id", to: tenantID.uuidString, logger: logger)
                let work = WorkTransaction(tenantID: tenantID, pool: pool, connection: connection)
                result = try await StreamPublication.$written.withValue(written) {
                    try await WorkTransaction.$current.withValue(work) { try await body(work) }
                }
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
        streamPublication.signal(written.all)
        return result
    }
}
