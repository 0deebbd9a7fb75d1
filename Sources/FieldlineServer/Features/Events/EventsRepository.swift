import FieldlineDomain
import Foundation
import PostgresNIO

/// One page of a tenant's event log, as the repository reads it.
struct EventLogPage: Sendable {
    /// Up to the limit, in feed order.
    let events: [BusinessEvent]
    /// More matching events are waiting after these.
    let more: Bool
    /// The last event of any type the reader has passed: every matching event up to it is in
    /// `events` (or was before `after`). Nil when the log holds nothing after `after` yet.
    let passed: EventCursor?
}

/// Reads a tenant's event log in feed order.
protocol EventsRepository: Sendable {
    /// Up to `limit` events after `after`, of `types` (all when nil), in feed order, whether
    /// more were there, and how far the log was read. Throws `APIError.cursorExpired` when
    /// events after `after` were pruned by retention.
    func page(after: EventCursor, types: [BusinessEventType]?, limit: Int, tenantID: UUID) async throws -> EventLogPage
}

/// `EventsRepository` on PostgreSQL (the order and the horizon: sql/030_events.sql; what
/// retention pruned: sql/032_event_retention.sql).
struct PostgresEventsRepository: EventsRepository {
    let database: Database

    func page(after: EventCursor, types: [BusinessEventType]?, limit: Int, tenantID: UUID) async throws -> EventLogPage {
        let names = types?.map(\.rawValue)
        return try await database.withTenant(tenantID) { connection in
            if after != .start, let pruned = try await Self.prunedThrough(tenantID, connection, logger: database.logger), after < pruned {
                throw APIError.cursorExpired(after: after, prunedThrough: pruned)
            }
            // One statement, so the page and the last event passed share one snapshot and one horizon:
            // the matching rows (`tail` false), then the last row of any type below the horizon.
            let statement = Self.pageQuery(after: after, types: names, limit: limit, tenantID: tenantID)
            let rows = try await connection.query(statement, logger: database.logger).collect { row -> (tail: Bool, event: BusinessEvent?, cursor: EventCursor?) in
                let columns = row.makeRandomAccess()
                if try columns[0].decode(Bool.self) {
                    let txid = try columns[4].decode(String.self)
                    return (true, nil, EventCursor(txid: UInt64(txid) ?? 0, seq: try columns[5].decode(Int64.self)))
                }
                return (false, try BusinessEvent(row: row, skipping: 1), nil)
            }
            let events = rows.compactMap(\.event)
            let passed = rows.first(where: \.tail)?.cursor
            let more = events.count > limit
            let page = Array(events.prefix(limit))
            // With more waiting, the reader stopped at the page's last event, not at the log's end.
            let reached = more ? page.last.flatMap { EventCursor(encoded: $0.cursor) } : passed
            return EventLogPage(events: page, more: more, passed: reached)
        }
    }

    /// A page of the feed and the last event passed, in one statement (one snapshot, one horizon).
    static func pageQuery(after: EventCursor, types names: [String]?, limit: Int, tenantID: UUID) -> PostgresQuery {
        """
        WITH page AS (
            SELECT false AS tail, \(unescaped: BusinessEvent.columns) FROM events e
            WHERE e.tenant_id = \(tenantID)
              AND (e.txid, e.seq) > (\(String(after.txid))::xid8, \(after.seq))
              AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
              AND (\(names)::text[] IS NULL OR e.type = ANY(\(names)::text[]))
            ORDER BY e.txid, e.seq
            LIMIT \(limit + 1)
        ), passed AS (
            SELECT true AS tail, NULL::uuid, NULL::text, NULL::timestamptz, e.txid::text, e.seq, NULL::text FROM events e
            WHERE e.tenant_id = \(tenantID)
              AND (e.txid, e.seq) > (\(String(after.txid))::xid8, \(after.seq))
              AND e.txid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.txid DESC, e.seq DESC
            LIMIT 1
        )
        SELECT * FROM page UNION ALL SELECT * FROM passed
        """
    }

    /// Where retention pruned the tenant's log through, if it pruned anything.
    static func prunedThrough(_ tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> EventCursor? {
        try await connection.query(
            "SELECT pruned_txid::text, pruned_seq FROM event_retention WHERE tenant_id = \(tenantID)", logger: logger
        ).first { row in
            let (txid, seq) = try row.decode((String, Int64).self)
            return EventCursor(txid: UInt64(txid) ?? 0, seq: seq)
        }
    }
}

extension APIError {
    /// 410 `cursor_too_old`: events after the feed cursor were pruned by retention (the live
    /// stream's answer to the same situation, with the same code).
    static func cursorExpired(after: EventCursor, prunedThrough: EventCursor) -> APIError {
        APIError(.gone, code: "cursor_too_old",
                 message: "events after \(after.encoded) up to \(prunedThrough.encoded) were pruned (kept at least 30 days); resync: read the current state through the API (e.g. GET /v1/jobs?updated_since=, an export) and poll again without after",
                 field: "after")
    }
}
