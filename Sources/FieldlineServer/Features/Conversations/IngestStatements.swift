import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Ingest's read: an already stored copy (a retried webhook), the sender's member, their
/// conversation that is not closed (locked), and the last reply's offered choices. Prepared once
/// per connection; see `PostgresConversationsRepository.lookUp`.
struct IngestLookUpStatement: PostgresPreparedStatement {
    static let name = "fieldline_ingest_look_up"
    static let sql = """
        WITH existing AS (
            -- Two equalities rather than IS NOT DISTINCT FROM, which no index can serve: each
            -- branch is a single probe of the unique (tenant, provider, adapter, provider id) key.
            (SELECT id, conversation_id FROM messages
             WHERE tenant_id = $1 AND provider = $2 AND adapter_id = $4 AND provider_message_id = $3
             UNION ALL
             SELECT id, conversation_id FROM messages
             WHERE $4::uuid IS NULL AND tenant_id = $1 AND provider = $2 AND adapter_id IS NULL AND provider_message_id = $3)
            LIMIT 1
        ), member AS (
            SELECT member_id FROM member_identities WHERE tenant_id = $1 AND kind = $5 AND external_id = $6
        ), conversation AS (
            SELECT c.id, c.status, c.routing_state FROM conversations c
            WHERE c.tenant_id = $1 AND c.member_id = (SELECT member_id FROM member) AND c.status <> 'closed'
              AND NOT EXISTS (SELECT 1 FROM existing)
            FOR UPDATE
        ), offer AS (
            SELECT o.id, o.provider, o.payload::text AS payload,
                   EXISTS (SELECT 1 FROM messages a
                           WHERE a.tenant_id = $1 AND a.conversation_id = o.conversation_id
                             AND a.direction = 'inbound' AND a.kind = 'choice' AND a.id > o.id) AS answered
            FROM messages o
            WHERE $7 AND o.tenant_id = $1 AND o.conversation_id = (SELECT id FROM conversation)
              AND o.direction = 'outbound' AND o.kind <> 'system' AND o.delivery_status IN ('sent', 'delivered', 'read')
            ORDER BY o.id DESC LIMIT 1
        )
        SELECT e.id, e.conversation_id, m.member_id, c.id, c.status, c.routing_state, o.id, o.provider, o.payload, o.answered
        FROM (SELECT 1) AS one
        LEFT JOIN existing e ON true LEFT JOIN member m ON true LEFT JOIN conversation c ON true LEFT JOIN offer o ON true
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .text, .uuid, .text, .text, .bool]
    typealias Row = (UUID?, UUID?, UUID?, UUID?, String?, String?, UUID?, String?, String?, Bool?)

    let tenantID: UUID
    let message: InboundMessageInput
    /// Whether to look for offered choices (the text may be a numbered answer).
    let wantOffer: Bool

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(tenantID)
        bindings.append(message.provider)
        bindings.append(message.providerMessageID)
        bindings.append(message.adapterID)
        bindings.append(message.identityKind.rawValue)
        bindings.append(message.sender)
        bindings.append(wantOffer)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// Ingest's write: the message, the conversation's activity, held replies released to the
/// outbox, the wake-up recorded. Prepared once per connection; see
/// `PostgresConversationsRepository.store`. Returns the message id, or no row when an identical
/// webhook stored the message first.
struct IngestStoreStatement: PostgresPreparedStatement {
    static let name = "fieldline_ingest_store"
    static let sql = """
        WITH inserted AS (
            INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, provider, adapter_id, provider_message_id,
                                  channel_post_id)
            VALUES ($1, $2, $3, 'inbound', $4, $5, $6::jsonb, $7, $8, $9, $10)
            ON CONFLICT (tenant_id, provider, adapter_id, provider_message_id) WHERE provider_message_id IS NOT NULL DO NOTHING
            RETURNING id
        ), touched AS (
            UPDATE conversations SET last_message_at = now(), status = 'open', snoozed_until = NULL
            WHERE $11 AND tenant_id = $1 AND id = $3 AND EXISTS (SELECT 1 FROM inserted)
            RETURNING id
        ), released AS (
            UPDATE messages SET delivery_status = 'queued', delivery_error = NULL
            WHERE $12 AND tenant_id = $1 AND conversation_id = $3 AND delivery_status = 'held'
              AND EXISTS (SELECT 1 FROM inserted)
            RETURNING id
        ), queued AS (
            INSERT INTO outbox (tenant_id, topic, payload)
            SELECT $1, 'message.send', jsonb_build_object('message_id', id, 'conversation_id', $3::uuid)
            FROM released ORDER BY id
            RETURNING 1
        ), woken AS (
            INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id)
            SELECT $1, $14, $3, 'woke', NULL::uuid
            WHERE $13 AND EXISTS (SELECT 1 FROM inserted)
            RETURNING 1
        )
        SELECT id FROM inserted
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .uuid, .uuid, .uuid, .text, .text, .text, .text, .uuid, .text, .uuid, .bool, .bool, .bool, .uuid,
    ]
    typealias Row = UUID

    let tenantID: UUID
    let messageID: UUID
    let conversationID: UUID
    let message: InboundMessageInput
    let content: (kind: MessageKind, text: String?, payload: String)
    let channelPostID: UUID?
    let deskActivity: Bool
    let releaseHeld: Bool
    let woke: Bool
    let wakeEventID: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(tenantID)
        bindings.append(messageID)
        bindings.append(conversationID)
        bindings.append(content.kind.rawValue)
        bindings.append(content.text)
        bindings.append(content.payload)
        bindings.append(message.provider)
        bindings.append(message.adapterID)
        bindings.append(message.providerMessageID)
        bindings.append(channelPostID)
        bindings.append(deskActivity)
        bindings.append(releaseHeld)
        bindings.append(woke)
        bindings.append(wakeEventID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UUID { try row.decode(UUID.self) }
}
