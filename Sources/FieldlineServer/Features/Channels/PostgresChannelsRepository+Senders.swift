import FieldlineDomain
import Foundation
import PostgresNIO

/// Who speaks in a post, and the realtime events a fan-out produces.
extension PostgresChannelsRepository {
    /// A member posts only in a horizontal channel one of whose organizations they belong to.
    func requireParticipant(_ memberID: UUID, channel: UUID, kind: ChannelKind, tenantID: UUID, _ connection: PostgresConnection) async throws {
        guard kind == .horizontal else {
            throw ValidationError(field: "member_id", code: "not_allowed", message: "members post only in horizontal channels; a hierarchical channel speaks as its organization")
        }
        let participates = try await connection.query("""
            SELECT 1 FROM members m
            JOIN channel_participants p ON p.tenant_id = m.tenant_id AND p.organization_id = m.organization_id
            WHERE m.tenant_id = \(tenantID) AND m.id = \(memberID) AND p.channel_id = \(channel)
            """, logger: logger
        ).any()
        guard participates else {
            throw ValidationError(field: "member_id", code: "not_a_participant", message: "member \(memberID.uuidString.lowercased()) belongs to none of the channel's organizations")
        }
    }

    /// "Name (Organization)" of the member or user speaking; the bare name when a user has no
    /// organization; the tenant's name for an API key.
    func senderLabel(memberID: UUID?, userID: UUID?, tenantID: UUID, _ connection: PostgresConnection) async throws -> String {
        let label: String?
        if let memberID {
            label = try await connection.query("""
                SELECT m.name || ' (' || o.name || ')' FROM members m
                JOIN organizations o ON o.tenant_id = m.tenant_id AND o.id = m.organization_id
                WHERE m.tenant_id = \(tenantID) AND m.id = \(memberID)
                """, logger: logger
            ).first { try $0.decode(String.self) }
        } else if let userID {
            label = try await connection.query("""
                SELECT u.name || coalesce(' (' || o.name || ')', '') FROM users u
                LEFT JOIN organizations o ON o.tenant_id = u.tenant_id AND o.id = u.organization_id
                WHERE u.tenant_id = \(tenantID) AND u.id = \(userID)
                """, logger: logger
            ).first { try $0.decode(String.self) }
        } else {
            label = try await connection.query("SELECT name FROM tenants WHERE id = \(tenantID)", logger: logger).first { try $0.decode(String.self) }
        }
        guard let label else { throw MissingRowError(what: "channel post sender") }
        return label
    }

    /// `conversation.opened` and `message.created` for every delivery of a post, in one statement
    /// (published after commit like every stream event, see `StreamEventWriter`).
    func appendStreamEvents(postID: UUID, opened: [(UUID, UUID)], tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query("""
            WITH events AS (
                SELECT o.conversation_id, 'conversation.opened' AS kind, NULL::uuid AS message_id,
                       jsonb_build_object('member_id', o.member_id) AS data, 0 AS step, o.conversation_id AS sort_id
                FROM unnest(\(opened.map(\.0))::uuid[], \(opened.map(\.1))::uuid[]) AS o(conversation_id, member_id)
                UNION ALL
                SELECT m.conversation_id, 'message.created', m.id,
                       jsonb_build_object('message_id', m.id, 'direction', 'outbound', 'kind', 'text'), 1, m.id
                FROM messages m WHERE m.tenant_id = \(tenantID) AND m.channel_post_id = \(postID) AND m.direction = 'outbound'
            )
            INSERT INTO stream_pending (tenant_id, conversation_id, kind, message_id, data)
            SELECT \(tenantID), events.conversation_id, events.kind, events.message_id, events.data
            FROM events ORDER BY events.step, events.sort_id\(unescaped: CitusWrites.returning("pending_id"))
            """, logger: logger)
        StreamPublication.markWritten(tenantID)
    }
}
