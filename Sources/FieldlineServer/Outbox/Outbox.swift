import Foundation
import PostgresNIO

/// Queues outbox work from Swift, one row at a time, inside the caller's transaction: the work
/// exists if and only if the change that causes it commits. Set-based writers that make many
/// rows in one statement use `OutboxSQL` instead.
enum Outbox {
    /// What `enqueue` does when the same work is already waiting.
    enum Duplicates: Sendable, Equatable {
        /// Always adds the row.
        case allowed
        /// Adds nothing when a pending row (neither done nor dead) of the same topic and tenant
        /// has the same value at payload key `key` and falls due no later than the new one: one
        /// `routing.drain` per team and opening, however often the team's hours are saved.
        case skipIfPending(key: String)
    }

    /// Adds a row of `job`'s topic carrying `payload`, due at `availableAt` (now when nil), in the
    /// transaction of `connection`. Returns false when `duplicates` found it already waiting.
    @discardableResult
    static func enqueue<Job: OutboxJob>(
        _ job: Job.Type, _ payload: Job.Payload, availableAt: Date? = nil, duplicates: Duplicates = .allowed,
        tenantID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let json = try OutboxPayload.encode(payload)
        switch duplicates {
        case .allowed:
            return try await connection.query("""
                INSERT INTO outbox (tenant_id, topic, payload, available_at)
                VALUES (\(tenantID), \(Job.topic), \(json)::jsonb, coalesce(\(availableAt)::timestamptz, now()))
                RETURNING 1
                """, logger: logger
            ).any()
        case .skipIfPending(let key):
            assert(json.contains("\"\(key)\":"), "\(Job.topic) payloads have no key \(key) to tell duplicates by")
            return try await connection.query("""
                INSERT INTO outbox (tenant_id, topic, payload, available_at)
                SELECT \(tenantID), \(Job.topic), new.payload, new.available_at
                FROM (SELECT \(json)::jsonb AS payload, coalesce(\(availableAt)::timestamptz, now()) AS available_at) AS new
                WHERE NOT EXISTS (
                    SELECT 1 FROM outbox
                    WHERE topic = \(Job.topic) AND tenant_id = \(tenantID) AND payload->>\(key) = new.payload->>\(key)
                      AND done_at IS NULL AND dead_at IS NULL AND available_at <= new.available_at)
                RETURNING 1
                """, logger: logger
            ).any()
        }
    }
}
