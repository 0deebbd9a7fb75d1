import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

// Ingest reads and writes a whole batch of inbound messages (see `IngestBatcher`) in one
// statement each: the rows travel as parallel arrays, one element per message. Arrays of
// optionals do not bind, so an absent id or text travels as "" (with a presence flag for text,
// where "" is a value).

/// Ingest's read, for each message: an already stored copy (a retried webhook), the sender's
/// member, their conversation that is not closed (locked), and the last reply's offered
/// choices. Prepared once per connection; see `LookUpSenders`.
struct IngestLookUpStatement: PostgresPreparedStatement {
    static let name = "fieldline_ingest_look_up"
    static let sql = """
        SELECT i.position, e.id, e.conversation_id, m.member_id, c.id, c.status, c.routing_state,
               o.id, o.provider, o.payload, o.answered
        FROM (SELECT u.provider, u.provider_message_id, NULLIF(u.adapter_id, '')::uuid AS adapter_id, u.identity_kind,
                     u.sender, u.want_offer, u.position
              FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[])
                   WITH ORDINALITY AS u(provider, provider_message_id, adapter_id, identity_kind, sender, want_offer, position)) AS i
        -- Two equalities rather than IS NOT DISTINCT FROM, which no index can serve: each
        -- branch is a single probe of the unique (tenant, provider, adapter, provider id) key.
        LEFT JOIN LATERAL (
            (SELECT id, conversation_id FROM messages
             WHERE tenant_id = $1 AND provider = i.provider AND adapter_id = i.adapter_id AND provider_message_id = i.provider_message_id
             UNION ALL
             SELECT id, conversation_id FROM messages
             WHERE i.adapter_id IS NULL AND tenant_id = $1 AND provider = i.provider AND adapter_id IS NULL
               AND provider_message_id = i.provider_message_id)
            LIMIT 1
        ) AS e ON true
        -- LIMIT 1 (the key is unique anyway) keeps this a probe per message: flattened into a
        -- join, a plan cached while the table was small scanned all of the tenant's identities.
        LEFT JOIN LATERAL (
            SELECT member_id FROM member_identities WHERE tenant_id = $1 AND kind = i.identity_kind AND external_id = i.sender
            LIMIT 1
        ) AS m ON true
        -- NO KEY UPDATE excludes the conversation's other writers as FOR UPDATE would, without
        -- blocking rows that only reference it: the stream publisher inserting this tenant's
        -- events (with FOR UPDATE, a batch locking several conversations deadlocked with it).
        LEFT JOIN LATERAL (
            SELECT c.id, c.status, c.routing_state FROM conversations c
            WHERE c.tenant_id = $1 AND c.member_id = m.member_id AND c.status <> 'closed' AND e.id IS NULL
            FOR NO KEY UPDATE
        ) AS c ON true
        LEFT JOIN LATERAL (
            SELECT o.id, o.provider, o.payload::text AS payload,
                   EXISTS (SELECT 1 FROM messages a
                           WHERE a.tenant_id = $1 AND a.conversation_id = o.conversation_id
                             AND a.direction = 'inbound' AND a.kind = 'choice' AND a.id > o.id) AS answered
            FROM messages o
            WHERE i.want_offer AND o.tenant_id = $1 AND o.conversation_id = c.id
              AND o.direction = 'outbound' AND o.kind <> 'system' AND o.delivery_status IN ('sent', 'delivered', 'read')
            ORDER BY o.id DESC LIMIT 1
        ) AS o ON true
        ORDER BY i.position
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .textArray, .textArray, .textArray, .textArray, .textArray, .boolArray]
    typealias Row = (Int64, UUID?, UUID?, UUID?, UUID?, String?, String?, UUID?, String?, String?, Bool?)

    let tenantID: UUID
    let messages: [InboundMessageInput]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(tenantID)
        bindings.append(messages.map(\.provider.rawValue))
        bindings.append(messages.map(\.providerMessageID))
        bindings.append(messages.map { $0.adapterID?.uuidString ?? "" })
        bindings.append(messages.map(\.identityKind.rawValue))
        bindings.append(messages.map(\.sender))
        // Only a short text may answer offered choices: the others skip that look-up.
        bindings.append(messages.map(AnswerPendingQuestion.mayAnswer))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// One inbound message as ingest writes it.
struct IngestStoreRow: Sendable {
    let messageID: UUID
    let conversationID: UUID
    let message: InboundMessageInput
    let content: StoredContent
    /// The channel post the message made, when it spoke in a horizontal channel.
    let channelPostID: UUID?
    /// The member wrote to the desk: the conversation is lifted in the queues and woken.
    let deskActivity: Bool
    /// Put the conversation's held replies back in the outbox (see `MessageSender.hold`).
    let releaseHeld: Bool
    /// Record that the message woke a snoozed conversation.
    let woke: Bool
}

/// Ingest's write, for each message: the message, the conversation's activity, held replies
/// released to the outbox, the wake-up recorded — all only for messages actually inserted.
/// Prepared once per connection; see `StoreMessages`. Returns the ids of
/// the inserted messages; a message missing from them was stored first by an identical webhook.
struct IngestStoreStatement: PostgresPreparedStatement {
    static let name = "fieldline_ingest_store"
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::text[], $9::text[],
                                 $10::text[], $11::text[], $12::bool[], $13::bool[], $14::bool[], $15::uuid[])
                WITH ORDINALITY AS i(id, conversation_id, kind, body, has_body, payload, provider, adapter_id, provider_message_id,
                                     channel_post_id, desk_activity, release_held, woke, wake_event_id, position)
        ), inserted AS (
            INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, provider, adapter_id, provider_message_id,
                                  channel_post_id)
            SELECT $1, id, conversation_id, 'inbound', kind, CASE WHEN has_body THEN body END, payload::jsonb, provider,
                   NULLIF(adapter_id, '')::uuid, provider_message_id, NULLIF(channel_post_id, '')::uuid
            FROM input ORDER BY position
            ON CONFLICT (tenant_id, provider, adapter_id, provider_message_id) WHERE provider_message_id IS NOT NULL DO NOTHING
            RETURNING id
        ), landed AS (
            SELECT input.* FROM input JOIN inserted USING (id)
        ), touched AS (
            UPDATE conversations SET last_message_at = now(), status = 'open', snoozed_until = NULL
            WHERE tenant_id = $1 AND id IN (SELECT conversation_id FROM landed WHERE desk_activity)
            RETURNING id
        ), released AS (
            UPDATE messages SET delivery_status = 'queued', delivery_error = NULL
            WHERE tenant_id = $1 AND conversation_id IN (SELECT conversation_id FROM landed WHERE release_held)
              AND delivery_status = 'held'
            RETURNING id, conversation_id
        ), queued AS (
            \(OutboxSQL.insert(
                SendMessage.self, tenant: "$1", payload: ["message_id": "id", "conversation_id": "conversation_id"],
                from: "released ORDER BY id"))
            RETURNING 1
        ), woken AS (
            INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id)
            SELECT $1, wake_event_id, conversation_id, 'woke', NULL::uuid FROM landed WHERE woke
            RETURNING 1
        )
        SELECT id FROM inserted
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .uuid, .uuidArray, .uuidArray, .textArray, .textArray, .boolArray, .textArray, .textArray, .textArray, .textArray,
        .textArray, .boolArray, .boolArray, .boolArray, .uuidArray,
    ]
    typealias Row = UUID

    let tenantID: UUID
    let rows: [IngestStoreRow]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 15)
        bindings.append(tenantID)
        bindings.append(rows.map(\.messageID))
        bindings.append(rows.map(\.conversationID))
        bindings.append(rows.map(\.content.kind.rawValue))
        bindings.append(rows.map { $0.content.text ?? "" })
        bindings.append(rows.map { $0.content.text != nil })
        bindings.append(rows.map(\.content.payload.serializedString))
        bindings.append(rows.map(\.message.provider.rawValue))
        bindings.append(rows.map { $0.message.adapterID?.uuidString ?? "" })
        bindings.append(rows.map(\.message.providerMessageID))
        bindings.append(rows.map { $0.channelPostID?.uuidString ?? "" })
        bindings.append(rows.map(\.deskActivity))
        bindings.append(rows.map(\.releaseHeld))
        bindings.append(rows.map(\.woke))
        bindings.append(rows.map { _ in UUIDv7.make() })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UUID { try row.decode(UUID.self) }
}
