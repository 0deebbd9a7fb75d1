import Foundation
import Logging
import PostgresNIO

/// Appends stream events inside the caller's transaction. They wait in `stream_pending` until
/// the transaction has committed and the `StreamPublisher` numbers them into `stream_events`
/// (see `sql/014_stream_publishing.sql`), so writers take no lock and send no `NOTIFY`.
enum StreamEventWriter {
    /// The `LISTEN`/`NOTIFY` channel; payloads are `<tenant_id>:<event id>`, never bodies.
    static let channel = "fieldline_stream"

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// Appends `events` in order, in one statement, and asks for the tenant's events to be
    /// published once the surrounding `Database` transaction commits.
    static func append(
        _ events: [NewStreamEvent], tenantID: UUID, connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !events.isEmpty else { return }
        let data = try events.map { String(decoding: try encoder.encode($0.data), as: UTF8.self) }
        // Arrays of optionals do not bind; an absent id travels as "" and becomes NULL.
        func ids(_ values: [UUID?]) -> [String] { values.map { $0?.uuidString ?? "" } }
        try await connection.query("""
            INSERT INTO stream_pending (tenant_id, conversation_id, kind, message_id, prior_assignee_id, prior_team_id, data)
            SELECT \(tenantID), e.conversation_id, e.kind, NULLIF(e.message_id, '')::uuid,
                   NULLIF(e.prior_assignee_id, '')::uuid, NULLIF(e.prior_team_id, '')::uuid, e.data::jsonb
            FROM unnest(\(events.map(\.conversationID))::uuid[], \(events.map(\.kind.rawValue))::text[],
                        \(ids(events.map(\.messageID)))::text[], \(ids(events.map(\.priorAssigneeID)))::text[],
                        \(ids(events.map(\.priorTeamID)))::text[], \(data)::text[])
                 WITH ORDINALITY AS e(conversation_id, kind, message_id, prior_assignee_id, prior_team_id, data, position)
            ORDER BY e.position
            """, logger: logger)
        StreamPublication.markWritten(tenantID)
    }
}
