import FieldlineDomain
import Foundation
import PostgresNIO

/// Pruning the business event log (docs/events.md#retention): events older than
/// `RetentionSettings.events` (at least 30 days) go in feed order, a batch at a time, with
/// their finished webhook deliveries and attempts. An event still waiting to be delivered is
/// kept, and so is everything after it, so what is left is always the log's tail: the feed's
/// promise (never skip, never repeat) holds for any cursor at or after `event_retention`.
extension RetentionWorker {
    /// One batch of the tenant's oldest prunable events; the number deleted.
    func pruneEvents(of tenantID: UUID) async throws -> Int {
        try await database.withTenant(tenantID) { connection in
            // The oldest events below the feed's horizon (all committed), up to the first one
            // that must stay (too young, or a delivery pending). On Citus the subquery names the
            // tenant as a value too: `FOR UPDATE` needs a single-shard plan there.
            let doomed = try await connection.query("""
                WITH batch AS (
                    SELECT e.id, e.txid, e.seq,
                           e.occurred_at < now() - \(seconds(settings.events)) * interval '1 second'
                           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                                           WHERE d.tenant_id = e.tenant_id\(citusTenant: "d", tenantID) AND d.event_id = e.id AND d.status = 'pending') AS old
                    FROM events e
                    WHERE e.tenant_id = \(tenantID) AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
                    ORDER BY e.txid, e.seq
                    LIMIT \(settings.batchSize)
                    -- A re-send of one of them waits, then finds it gone; a second pruner skips them.
                    FOR UPDATE OF e
                ), stop AS (
                    SELECT txid, seq FROM batch WHERE NOT old ORDER BY txid, seq LIMIT 1
                )
                SELECT b.id, b.txid::text, b.seq FROM batch b
                WHERE b.old AND NOT EXISTS (SELECT 1 FROM stop s WHERE (s.txid, s.seq) <= (b.txid, b.seq))
                ORDER BY b.txid, b.seq
                """, logger: logger
            ).collect { try $0.decode((UUID, String, Int64).self) }
            guard let last = doomed.last else { return 0 }
            let ids = doomed.map(\.0)
            try await connection.query(
                "DELETE FROM webhook_deliveries WHERE tenant_id = \(tenantID) AND event_id = ANY(\(ids)::uuid[])", logger: logger)
            try await connection.query("DELETE FROM events WHERE tenant_id = \(tenantID) AND id = ANY(\(ids)::uuid[])", logger: logger)
            // pruned_at from its default (now()): Citus refuses now() in an ON CONFLICT update.
            try await connection.query("""
                INSERT INTO event_retention (tenant_id, pruned_txid, pruned_seq) VALUES (\(tenantID), \(last.1)::xid8, \(last.2))
                ON CONFLICT (tenant_id) DO UPDATE SET pruned_txid = excluded.pruned_txid, pruned_seq = excluded.pruned_seq, pruned_at = excluded.pruned_at
                WHERE (event_retention.pruned_txid, event_retention.pruned_seq) < (excluded.pruned_txid, excluded.pruned_seq)
                """, logger: logger)
            return doomed.count
        }
    }
}
