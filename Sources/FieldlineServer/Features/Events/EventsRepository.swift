import FieldlineDomain
import Foundation
import PostgresNIO

/// Reads a tenant's event log in feed order.
protocol EventsRepository: Sendable {
    /// Up to `limit` events after `after`, of `types` (all when nil), in feed order, and whether
    /// more were there.
    func page(after: EventCursor, types: [BusinessEventType]?, limit: Int, tenantID: UUID) async throws -> (events: [BusinessEvent], more: Bool)
}

/// `EventsRepository` on PostgreSQL (the order and the horizon: sql/030_events.sql).
struct PostgresEventsRepository: EventsRepository {
    let database: Database

    func page(after: EventCursor, types: [BusinessEventType]?, limit: Int, tenantID: UUID) async throws -> (events: [BusinessEvent], more: Bool) {
        let names = types?.map(\.rawValue)
        let rows = try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: BusinessEvent.columns) FROM events e
                WHERE e.tenant_id = \(tenantID)
                  AND (e.txid, e.seq) > (\(String(after.txid))::xid8, \(after.seq))
                  AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
                  AND (\(names)::text[] IS NULL OR e.type = ANY(\(names)::text[]))
                ORDER BY e.txid, e.seq
                LIMIT \(limit + 1)
                """, logger: database.logger
            ).collect(BusinessEvent.init(row:))
        }
        return (Array(rows.prefix(limit)), rows.count > limit)
    }
}
