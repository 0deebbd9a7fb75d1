import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// One open transaction scoped to a tenant: what a feature needs to work inside it, passed as
/// one value instead of `tenantID:` and `connection` pairs.
///
/// Stream events collected with `stream(_:)` are appended in order just before the transaction
/// commits (see `Database.withTenantTransaction`), so every step of a change can add its events
/// where it decides them, and they still land last, after every lock the change took (as the
/// stream writer requires).
struct TenantTransaction: Sendable {
    /// Whose rows this transaction sees (row-level security is set to it).
    let tenantID: UUID
    /// The transaction's connection; statements run on it are inside the transaction.
    let connection: PostgresConnection
    /// Where the transaction's statements log.
    let logger: Logger
    private let collected: CollectedEvents

    /// A context over a transaction that is already open and scoped to `tenantID`.
    init(tenantID: UUID, connection: PostgresConnection, logger: Logger) {
        self.tenantID = tenantID
        self.connection = connection
        self.logger = logger
        collected = CollectedEvents()
    }

    /// Runs one statement with bound parameters.
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await connection.query(query, logger: logger)
    }

    /// Runs a prepared statement (prepared on first use per connection) and returns its rows.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        try await connection.rows(statement, logger: logger)
    }

    /// Names who makes this transaction's changes to jobs and offers (`user:<id>`,
    /// `api_key:<id>`, `member:<id>`), for their history (`job_history`); unnamed is `system`.
    func actor(_ reference: String) async throws {
        try await query("SELECT set_config('app.actor', \(reference), true)")
    }

    /// Adds live-stream events, published in this order once the transaction commits.
    func stream(_ events: [NewStreamEvent]) {
        guard !events.isEmpty else { return }
        collected.events.withLockedValue { $0 += events }
    }

    /// Appends the collected stream events; `Database.withTenantTransaction` calls it last.
    func flushStreamEvents() async throws {
        let events = collected.events.withLockedValue { events in
            defer { events = [] }
            return events
        }
        try await StreamEventWriter.append(events, tenantID: tenantID, connection: connection, logger: logger)
    }

    /// The events one transaction collected: shared by every copy of its context.
    private final class CollectedEvents: Sendable {
        let events = NIOLockedValueBox<[NewStreamEvent]>([])
    }
}

extension Database {
    /// Runs `body` in a transaction scoped to `tenantID`, then appends the stream events it
    /// collected, then commits.
    @discardableResult
    func withTenantTransaction<T: Sendable>(
        _ tenantID: UUID, logger: Logger? = nil, _ body: @Sendable (TenantTransaction) async throws -> T
    ) async throws -> T {
        let logger = logger ?? self.logger
        return try await withTenant(tenantID, logger: logger) { connection in
            let transaction = TenantTransaction(tenantID: tenantID, connection: connection, logger: logger)
            let result = try await body(transaction)
            try await transaction.flushStreamEvents()
            return result
        }
    }
}
