import FieldlineDomain
import Foundation
import PostgresNIO

/// Loading a queued message with the adapter, identity and service window to send it through.
extension MessageSender {
    /// The message and how to reach its member (see `Delivery`); nil when it does not exist.
    func load(_ messageID: UUID, tenantID: UUID) async throws -> Delivery? {
        try await database.withTenant(tenantID) { connection in
            // The adapter: the one the member last wrote from in this conversation; else in any of
            // their conversations (a broadcast opened a new one); else, for a member who never
            // wrote (first contact), their first identity an enabled adapter of the tenant serves
            // (or the app). The service window runs from that last inbound message, if any.
            try await connection.query("""
                WITH msg AS (
                    SELECT m.id, m.body, m.payload, m.author_user_id, m.conversation_id, c.member_id FROM messages m
                    JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
                    WHERE m.tenant_id = \(tenantID) AND m.id = \(messageID) AND m.direction = 'outbound'
                ), last_in AS (
                    SELECT i.id, i.adapter_id, i.provider, i.created_at FROM messages i, msg
                    WHERE i.tenant_id = \(tenantID) AND i.conversation_id = msg.conversation_id AND i.direction = 'inbound'
                    ORDER BY i.id DESC LIMIT 1
                ), earlier AS (
                    SELECT i.adapter_id, i.provider, i.created_at FROM msg
                    JOIN conversations c ON c.tenant_id = \(tenantID) AND c.member_id = msg.member_id
                    CROSS JOIN LATERAL (
                        SELECT i.id, i.adapter_id, i.provider, i.created_at FROM messages i
                        WHERE i.tenant_id = \(tenantID) AND i.conversation_id = c.id AND i.direction = 'inbound'
                        ORDER BY i.id DESC LIMIT 1) i
                    WHERE NOT EXISTS (SELECT 1 FROM last_in)
                    ORDER BY i.id DESC LIMIT 1
                ), first_contact AS (
                    SELECT a.id AS adapter_id, mi.kind AS provider FROM msg
                    JOIN member_identities mi ON mi.tenant_id = \(tenantID) AND mi.member_id = msg.member_id
                    LEFT JOIN LATERAL (
                        SELECT a.id FROM adapters a
                        WHERE a.tenant_id = \(tenantID) AND a.provider = mi.kind AND a.disabled_at IS NULL
                        ORDER BY a.created_at, a.id LIMIT 1) a ON true
                    WHERE NOT EXISTS (SELECT 1 FROM last_in) AND NOT EXISTS (SELECT 1 FROM earlier)
                      AND (mi.kind = 'app' OR a.id IS NOT NULL)
                    -- A member of the built-in app reads it there; else the phone apps in the order
                    -- crews answer fastest on, WhatsApp first.
                    ORDER BY mi.kind = 'app' DESC, array_position(ARRAY['whatsapp', 'sms', 'telegram', 'messenger'], mi.kind), mi.id
                    LIMIT 1
                ), chosen AS (
                    SELECT adapter_id, provider, created_at FROM last_in
                    UNION ALL SELECT adapter_id, provider, created_at FROM earlier
                    UNION ALL SELECT adapter_id, provider, NULL::timestamptz FROM first_contact
                )
                SELECT msg.id, msg.conversation_id, msg.body, msg.payload::text, msg.author_user_id, chosen.adapter_id, chosen.provider,
                       (SELECT mi.external_id FROM member_identities mi
                        WHERE mi.tenant_id = \(tenantID) AND mi.member_id = msg.member_id AND mi.kind = chosen.provider
                        ORDER BY mi.id LIMIT 1),
                       (SELECT id FROM last_in), chosen.created_at,
                       ARRAY(SELECT DISTINCT mi.kind FROM member_identities mi
                             WHERE mi.tenant_id = \(tenantID) AND mi.member_id = msg.member_id ORDER BY mi.kind)
                FROM msg LEFT JOIN chosen ON true
                """, logger: database.logger
            ).first { row in
                let (id, conversationID, text, payload, authorUserID, adapterID, provider, recipient, lastInboundID, lastInboundAt, kinds) =
                    try row.decode((UUID, UUID, String?, String, UUID?, UUID?, String?, String?, UUID?, Date?, [String]).self)
                return Delivery(
                    messageID: id, conversationID: conversationID, text: text, payload: ReplyPayload(json: payload), authorUserID: authorUserID,
                    adapterID: adapterID, provider: provider, recipient: recipient, lastInboundID: lastInboundID, lastInboundAt: lastInboundAt,
                    identityKinds: kinds)
            }
        }
    }
}
