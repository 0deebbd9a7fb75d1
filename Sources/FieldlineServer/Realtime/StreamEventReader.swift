import Foundation
import Logging
import PostgresNIO

/// Reads a tenant's stream events that one viewer may see, in id order.
struct StreamEventReader: Sendable {
    let database: Database

    /// Events per read; a reader that gets a full page reads again at once.
    static let pageSize = 200

    /// The tenant's newest event id (0 when there is none): where a stream without `?after=`
    /// starts. Events committed before the call are published first, so they are all at or
    /// below it; everything at or below it is final, because ids become visible in order (see
    /// `sql/014_stream_publishing.sql`).
    func tail(tenantID: UUID) async throws -> Int64 {
        do {
            try await database.publishStreamEvents(of: [tenantID])
        } catch where StreamPublisher.refusesData(error) {
            // The tenant's events are stuck (StreamPublisher+Stuck.swift): its stream still
            // opens, and what it could not publish follows once it can.
            database.logger.warning("a tenant's pending stream events could not be published before its stream opened", metadata: [
                "tenant_id": .string(tenantID.uuidString.lowercased()),
            ])
        }
        return try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "SELECT coalesce(max(id), 0)::int8 FROM stream_events WHERE tenant_id = \(tenantID)", logger: database.logger
            ).first { try $0.decode(Int64.self) } ?? 0
        }
    }

    /// The tenant's highest event id that retention has pruned (0 when none): a cursor below it
    /// may have missed events that are gone.
    func prunedThrough(tenantID: UUID) async throws -> Int64 {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "SELECT pruned_through FROM stream_retention WHERE tenant_id = \(tenantID)", logger: database.logger
            ).first { try $0.decode(Int64.self) } ?? 0
        }
    }

    /// One page of what a viewer may see after a cursor, and how far the page covered.
    struct Page: Sendable {
        /// Visible events, oldest first. An event found in `texts` has no message attached.
        let events: [StreamEvent]
        /// Already encoded events of the page, by id (see `StreamEventTexts`).
        var texts: [Int64: String] = [:]
        /// The cursor to continue from: the tenant's events up to here were all considered,
        /// including the ones this viewer may not see (so they are not scanned again).
        let through: Int64
        /// True when more may follow at once.
        let isFull: Bool
    }

    /// Up to `pageSize` events after `after` that `viewer` may see, oldest first, with their
    /// messages; events that `texts` already holds come with their text instead.
    func page(after: Int64, viewer: Viewer, texts: StreamEventTexts? = nil) async throws -> Page {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            // The tail first: each statement has its own snapshot, and everything up to this
            // tail is visible to the next one (ids become visible in order).
            let tail = try await connection.query(
                "SELECT coalesce(max(id), 0)::int8 FROM stream_events WHERE tenant_id = \(tenantID)", logger: database.logger
            ).first { try $0.decode(Int64.self) } ?? 0
            // Events seen through their conversation, then those of a job (job_id set) seen
            // only through the job: each event once, whichever way the viewer sees it.
            let rows = try await connection.query("""
                (SELECT \(unescaped: StreamEvent.columns) FROM stream_events e
                 JOIN conversations c ON c.tenant_id = e.tenant_id AND c.id = e.conversation_id
                 WHERE e.tenant_id = \(tenantID) AND e.id > \(after) AND e.id <= \(tail)
                   AND (\(visibleConversations: viewer) OR \(formerHolder: viewer))
                 ORDER BY e.id LIMIT \(Self.pageSize))
                UNION ALL
                (SELECT \(unescaped: StreamEvent.columns) FROM stream_events e
                 JOIN jobs j ON j.tenant_id = e.tenant_id AND j.id = e.job_id
                 WHERE e.tenant_id = \(tenantID) AND e.id > \(after) AND e.id <= \(tail) AND e.job_id IS NOT NULL
                   AND \(visibleJobs: viewer)
                   AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.tenant_id = e.tenant_id AND c.id = e.conversation_id
                                   AND (\(visibleConversations: viewer) OR \(formerHolder: viewer)))
                 ORDER BY e.id LIMIT \(Self.pageSize))
                ORDER BY 1 LIMIT \(Self.pageSize)
                """, logger: database.logger
            ).collect(StreamEvent.decode)
            let isFull = rows.count == Self.pageSize
            let through = isFull ? (rows.last?.0.sequence ?? after) : max(after, tail)
            let known = texts?.texts(for: rows.map(\.0.sequence)) ?? [:]
            let events = try await attachMessages(rows.map { known[$0.0.sequence] == nil ? $0 : ($0.0, nil) }, tenantID: tenantID, connection)
            return Page(events: events, texts: known, through: through, isFull: isFull)
        }
    }

    /// Fills in the message of each `message.created` event.
    private func attachMessages(_ rows: [(StreamEvent, UUID?)], tenantID: UUID, _ connection: PostgresConnection) async throws -> [StreamEvent] {
        let messageIDs = rows.compactMap(\.1)
        guard !messageIDs.isEmpty else { return rows.map(\.0) }
        let messages = try await connection.query("""
            SELECT \(columns: Message.columns, tenant: tenantID) FROM messages m
            WHERE m.tenant_id = \(tenantID) AND m.id = ANY(\(messageIDs))
            """, logger: database.logger
        ).collect(Message.init(row:))
        let byID = Dictionary(messages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return rows.map { event, messageID in
            var event = event
            event.message = messageID.flatMap { byID[$0] }
            return event
        }
    }
}
