import Foundation
import Logging
import PostgresNIO

/// Appends stream events inside the caller's transaction, with the `NOTIFY` that wakes every
/// server instance's listener when the transaction commits.
enum StreamEventWriter {
    /// The `LISTEN`/`NOTIFY` channel; payloads are `<tenant_id>:<event id>`, never bodies.
    static let channel = "fieldline_stream"

    /// Advisory-lock class for the per-tenant append lock (the two-key lock space, so it cannot
    /// meet the migrator's one-key lock).
    static let lockClass: Int32 = 7007

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// Appends `events` in order. Call it as the last statement of the transaction: the
    /// per-tenant lock it takes is held until commit, which is what makes ids of one tenant
    /// become visible in id order (so a reader never skips a smaller id that commits later).
    static func append(
        _ events: [NewStreamEvent], tenantID: UUID, connection: PostgresConnection, logger: Logger
    ) async throws {
        for event in events {
            let data = String(decoding: try encoder.encode(event.data), as: UTF8.self)
            // One round trip: lock, insert (the id is drawn after the lock is held), notify.
            try await connection.query("""
                WITH lock AS (
                    SELECT pg_advisory_xact_lock(\(lockClass), hashtext(\(tenantID.uuidString.lowercased())))
                ), inserted AS (
                    INSERT INTO stream_events (tenant_id, conversation_id, kind, message_id, prior_assignee_id, prior_team_id, data)
                    SELECT \(tenantID), \(event.conversationID), \(event.kind.rawValue), \(event.messageID),
                           \(event.priorAssigneeID), \(event.priorTeamID), \(data)::jsonb
                    FROM lock
                    RETURNING id
                )
                SELECT pg_notify(\(channel), \(tenantID.uuidString.lowercased()) || ':' || id) FROM inserted
                """, logger: logger)
        }
    }
}
