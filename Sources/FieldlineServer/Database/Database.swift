import Foundation
import Logging
import PostgresNIO

/// The application's handle on PostgreSQL: a connection pool plus the one way to run
/// statements for a tenant.
///
/// `withTenant` opens a transaction and sets `app.tenant_id` transaction-locally before any
/// statement, so row-level security scopes everything inside it and nothing carries over to the
/// next user of the pooled connection.
public struct Database: Sendable {
    /// The underlying pool (a Service that must be running).
    public let client: PostgresClient
    /// Logger for database work outside a request.
    public let logger: Logger
    /// Where committed transactions that wrote stream events signal this instance's publisher.
    public let streamPublication: StreamPublication

    /// Wraps a client.
    public init(client: PostgresClient, logger: Logger, streamPublication: StreamPublication = StreamPublication()) {
        self.client = client
        self.logger = logger
        self.streamPublication = streamPublication
    }

    /// Runs `body` in a transaction scoped to `tenantID` (in a savepoint of the request's
    /// `WorkTransaction` when there is one for this tenant).
    @discardableResult
    public func withTenant<T: Sendable>(
        _ tenantID: UUID,
        logger: Logger? = nil,
        _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        if let work = WorkTransaction.current, work.tenantID == tenantID, work.pool == ObjectIdentifier(client) {
            return try await work.savepoint(logger: logger ?? self.logger, body)
        }
        return try await transaction(logger: logger) { connection in
            try await connection.setLocal("app.tenant_id", to: tenantID.uuidString, logger: logger ?? self.logger)
            return try await body(connection)
        }
    }

    /// Runs `body` in a transaction with no tenant set: only the global lookup tables are
    /// visible. Errors from `body` are rethrown unchanged (not wrapped). Once it has committed,
    /// the tenants it wrote stream events for are signalled to the stream publisher.
    @discardableResult
    public func transaction<T: Sendable>(
        logger: Logger? = nil,
        _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = logger ?? self.logger
        let written = StreamPublication.Written()
        let result = try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            let result: T
            do {
                result = try await StreamPublication.$written.withValue(written) { try await body(connection) }
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
