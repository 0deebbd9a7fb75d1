import Foundation
import PostgresNIO

extension WebhookDeliverer {
    /// A failed attempt's delivery and endpoint updates on Citus, which refuses `now()` inside
    /// `CASE` or `coalesce()` of an `UPDATE` (docs/scaling.md): the same changes as the single
    /// PostgreSQL's statements in `record`, with what those decide in SQL decided here, from the
    /// endpoint's row locked first and the transaction's `now()` read with it (so the times
    /// written are the same ones).
    func recordFailureOnCitus(
        _ item: Leased, _ outcome: Outcome, error: String, wait: Duration?, reason: String, endpointID: UUID, tenantID: UUID,
        _ connection: PostgresConnection
    ) async throws {
        let gone = outcome.status == 410
        let failed = wait == nil && !gone
        try await connection.query("""
            UPDATE webhook_deliveries SET leased_until = NULL, last_status = \(outcome.status), last_error = \(String(error.prefix(1000))),
                status = \(failed ? "failed" : "pending"),
                finished_at = \(unescaped: failed ? "now()" : "NULL"),
                next_attempt_at = now() + \(wait.map(Self.seconds) ?? 0) * interval '1 second',
                attempts = attempts - \(gone ? 1 : 0)
            WHERE tenant_id = \(tenantID) AND id = \(item.id)
            """, logger: logger)
        let row = try await connection.query("""
            SELECT failing_since, enabled, now() FROM webhook_endpoints WHERE tenant_id = \(tenantID) AND id = \(endpointID) FOR UPDATE
            """, logger: logger
        ).first { try $0.decode((Date?, Bool, Date).self) }
        guard let (failingSince, enabled, now) = row else { return }
        let since = failingSince ?? now
        let disable = enabled && (gone || since <= now.addingTimeInterval(-Self.seconds(settings.disableAfter)))
        try await connection.query("""
            UPDATE webhook_endpoints SET failing_since = \(since), enabled = \(enabled && !disable),
                disabled_at = CASE WHEN \(disable) THEN \(now) ELSE disabled_at END,
                disabled_reason = CASE WHEN \(disable) THEN \(String(reason.prefix(1000))) ELSE disabled_reason END
            WHERE tenant_id = \(tenantID) AND id = \(endpointID)
            """, logger: logger)
    }
}
