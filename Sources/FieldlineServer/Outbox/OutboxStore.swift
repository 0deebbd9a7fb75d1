import Foundation
import PostgresNIO

/// One claimed side effect.
struct OutboxItem: Sendable {
    let id: Int64
    let tenantID: UUID
    let topic: String
    /// The payload as stored (JSON text); the `OutboxRegistry` decodes it as the topic's job's payload.
    let payload: String
    /// Attempts so far, this one included.
    let attempts: Int
}

/// The transactional outbox, claimed across tenants. A claim takes rows with
/// `FOR UPDATE SKIP LOCKED` and leases them (pushes `available_at` ahead) in one short statement,
/// so no transaction stays open during the HTTP call; a worker that dies mid-send lets the lease
/// run out and another worker retries.
struct OutboxStore: Sendable {
    let database: Database

    /// Up to `limit` due rows, leased for `lease`. A `message.send` row waits while an earlier
    /// one of its conversation is unfinished (claimed, retrying after a failure, or due), so a
    /// conversation's messages reach the provider in the order they were written, even when the
    /// provider was down for a while; a dead row no longer holds the others back.
    func claim(limit: Int, lease: Duration) async throws -> [OutboxItem] {
        try await database.client.query(Self.claimQuery(limit: limit, lease: lease), logger: database.logger).collect { row in
            let (id, tenantID, topic, payload, attempts) = try row.decode((Int64, UUID, String, String, Int).self)
            return OutboxItem(id: id, tenantID: tenantID, topic: topic, payload: payload, attempts: attempts)
        }
    }

    /// The statement `claim` sends (tests explain it as it is).
    ///
    /// The send-order check runs for each due row the claim considers, so it must be an index
    /// look-up whatever the statistics say: it writes "unfinished" as
    /// `coalesce(done_at, dead_at) IS NULL`, as only `outbox_send_order_idx` does (sql/145), so no
    /// other partial index over unfinished rows (`outbox_ready_idx`, which an empty queue's
    /// statistics make look free to scan whole) can serve it. `outbox_ready_idx` is in the
    /// claim's order, (available_at, id), so the claim can stop at its limit.
    static func claimQuery(limit: Int, lease: Duration) -> PostgresQuery {
        let seconds = Double(lease.components.seconds)
        return """
            UPDATE outbox SET attempts = attempts + 1, available_at = now() + \(seconds) * interval '1 second'
            WHERE id IN (
                SELECT o.id FROM outbox o
                WHERE o.done_at IS NULL AND o.dead_at IS NULL AND o.available_at <= now()
                  AND NOT (o.topic = 'message.send' AND EXISTS (
                      SELECT 1 FROM outbox e
                      WHERE e.topic = 'message.send' AND coalesce(e.done_at, e.dead_at) IS NULL
                        AND e.tenant_id = o.tenant_id AND e.payload ->> 'conversation_id' = o.payload ->> 'conversation_id'
                        AND e.id < o.id))
                ORDER BY o.available_at, o.id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
            RETURNING id, tenant_id, topic, payload::text, attempts
            """
    }

    /// Pushes the lease of a row still being performed `lease` ahead, so no other worker claims
    /// it meanwhile. Only the claim that holds it renews it (`attempts` is its fence: another
    /// claim has counted one more); false when the row is no longer this claim's.
    func renew(_ item: OutboxItem, lease: Duration) async throws -> Bool {
        let seconds = Double(lease.components.seconds)
        return try await database.client.query("""
            UPDATE outbox SET available_at = now() + \(seconds) * interval '1 second'
            WHERE id = \(item.id) AND attempts = \(item.attempts) AND done_at IS NULL AND dead_at IS NULL
            RETURNING 1
            """, logger: database.logger
        ).collect { _ in () }.count == 1
    }

    /// Tries again after `delay`, remembering why it failed.
    func retry(_ id: Int64, after delay: Duration, error: String) async throws {
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        try await database.client.query("""
            UPDATE outbox SET available_at = now() + \(seconds) * interval '1 second', last_error = \(String(error.prefix(1000)))
            WHERE id = \(id)
            """, logger: database.logger)
    }

    /// Gives up on a row; it stays visible with its error.
    func deadLetter(_ id: Int64, error: String) async throws {
        try await database.client.query(
            "UPDATE outbox SET dead_at = now(), last_error = \(String(error.prefix(1000))) WHERE id = \(id)",
            logger: database.logger)
    }

    /// Marks a row done, inside the caller's tenant transaction (with the effect it records).
    static func complete(_ id: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE outbox SET done_at = now(), last_error = NULL WHERE id = \(id)", logger: logger)
    }
}

extension Database {
    /// Runs `work` in `item`'s tenant transaction, which also completes the outbox row: the row
    /// is done exactly when the work's effect commits.
    func completing(_ item: OutboxItem, _ work: @Sendable (PostgresConnection) async throws -> Void) async throws {
        let logger = self.logger
        try await withTenant(item.tenantID) { connection in
            try await OutboxStore.complete(item.id, on: connection, logger: logger)
            try await work(connection)
        }
    }
}

/// When to try a failed send again: exponential backoff with jitter, or what the provider asked.
enum RetryPolicy {
    /// The delay before attempt `attempts + 1`: 1 s, 2 s, 4 s … up to 5 minutes, ±50 % jitter;
    /// a provider's `Retry-After` (seconds) wins when given.
    static func delay(afterAttempt attempts: Int, retryAfter: Int? = nil) -> Duration {
        if let retryAfter, retryAfter > 0 { return .seconds(min(retryAfter, 3600)) }
        let base = min(300.0, pow(2.0, Double(max(0, attempts - 1))))
        let jittered = base * Double.random(in: 0.5...1.5)
        return .milliseconds(Int64(jittered * 1000))
    }
}
