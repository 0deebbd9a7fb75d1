import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Ingest's common path: a known member writing in a conversation that is already open, read in
/// one statement and written in one.
extension PostgresConversationsRepository {
    /// What ingest needs to know before writing, read in one statement.
    struct LookUp {
        var existing: IngestResult?
        var memberID: UUID?
        /// The member's open (or pending) conversation, locked until commit.
        var conversation: ActiveConversation?
        var offer: ChoiceOffer?
    }

    /// One round trip: an already stored copy (a retried webhook), the sender's member, their
    /// conversation that is not closed — locked `FOR UPDATE`, so held replies are released
    /// exactly (see `MessageSender.hold`) — and, for short texts, the last reply's offered choices.
    func lookUp(_ message: InboundMessageInput, tenantID: UUID, _ connection: PostgresConnection) async throws -> LookUp {
        let wantOffer = Self.mayBeNumberedAnswer(message)
        let row = try await connection.query("""
            WITH existing AS (
                SELECT id, conversation_id FROM messages
                WHERE tenant_id = \(tenantID) AND provider = \(message.provider) AND provider_message_id = \(message.providerMessageID)
                  AND adapter_id IS NOT DISTINCT FROM \(message.adapterID)::uuid
                LIMIT 1
            ), member AS (
                SELECT member_id FROM member_identities
                WHERE tenant_id = \(tenantID) AND kind = \(message.identityKind.rawValue) AND external_id = \(message.sender)
            ), conversation AS (
                SELECT c.id, c.status, c.routing_state FROM conversations c
                WHERE c.tenant_id = \(tenantID) AND c.member_id = (SELECT member_id FROM member) AND c.status <> 'closed'
                  AND NOT EXISTS (SELECT 1 FROM existing)
                FOR UPDATE
            ), offer AS (
                SELECT o.id, o.provider, o.payload::text AS payload,
                       EXISTS (SELECT 1 FROM messages a
                               WHERE a.tenant_id = \(tenantID) AND a.conversation_id = o.conversation_id
                                 AND a.direction = 'inbound' AND a.kind = 'choice' AND a.id > o.id) AS answered
                FROM messages o
                WHERE \(wantOffer) AND o.tenant_id = \(tenantID) AND o.conversation_id = (SELECT id FROM conversation)
                  AND o.direction = 'outbound' AND o.kind <> 'system' AND o.delivery_status IN ('sent', 'delivered', 'read')
                ORDER BY o.id DESC LIMIT 1
            )
            SELECT e.id, e.conversation_id, m.member_id, c.id, c.status, c.routing_state, o.id, o.provider, o.payload, o.answered
            FROM (SELECT 1) AS one
            LEFT JOIN existing e ON true LEFT JOIN member m ON true LEFT JOIN conversation c ON true LEFT JOIN offer o ON true
            """, logger: logger
        ).first { row in
            try row.decode((UUID?, UUID?, UUID?, UUID?, String?, String?, UUID?, String?, String?, Bool?).self)
        }
        guard let (existingID, existingConversation, memberID, conversationID, status, routingState, offerID, offerProvider, offerPayload, answered) = row
        else { throw MissingRowError(what: "ingest lookup") }
        var found = LookUp(memberID: memberID)
        if let existingID, let existingConversation {
            found.existing = IngestResult(messageId: existingID, conversationId: existingConversation, duplicate: true)
        }
        if let conversationID, let status, let routingState {
            found.conversation = ActiveConversation(
                id: conversationID, opened: false, status: ConversationStatus(rawValue: status) ?? .open, routingState: routingState)
        }
        if let offerID, let offerPayload, let answered {
            found.offer = ChoiceOffer(id: offerID, provider: offerProvider, payload: offerPayload, answered: answered)
        }
        return found
    }

    /// One round trip: inserts the message (naming `channelPostID`, the post it made in a channel);
    /// when `deskActivity`, updates the conversation (a member writing wakes a snoozed one and
    /// lifts it in the queues); when `releaseHeld`, puts the held replies back in the outbox (the member
    /// wrote, so the service window is open again; the conversation row is already locked by
    /// `lookUp` or `activeConversation`, see `MessageSender.hold`); records the wake-up when
    /// `woke`. Throws `LostDuplicateRace` when an identical webhook stored the message first.
    func store(
        _ message: InboundMessageInput, content: (kind: MessageKind, text: String?, payload: String), messageID: UUID,
        conversationID: UUID, releaseHeld: Bool, woke: Bool, deskActivity: Bool, channelPostID: UUID?, tenantID: UUID,
        _ connection: PostgresConnection
    ) async throws {
        let inserted = try await connection.query("""
            WITH inserted AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, provider, adapter_id, provider_message_id,
                                      channel_post_id)
                VALUES (\(tenantID), \(messageID), \(conversationID), 'inbound', \(content.kind.rawValue), \(content.text),
                        \(content.payload)::jsonb, \(message.provider), \(message.adapterID), \(message.providerMessageID), \(channelPostID))
                ON CONFLICT (tenant_id, provider, adapter_id, provider_message_id) WHERE provider_message_id IS NOT NULL DO NOTHING
                RETURNING id
            ), touched AS (
                UPDATE conversations SET last_message_at = now(), status = 'open', snoozed_until = NULL
                WHERE \(deskActivity) AND tenant_id = \(tenantID) AND id = \(conversationID) AND EXISTS (SELECT 1 FROM inserted)
                RETURNING id
            ), released AS (
                UPDATE messages SET delivery_status = 'queued', delivery_error = NULL
                WHERE \(releaseHeld) AND tenant_id = \(tenantID) AND conversation_id = \(conversationID) AND delivery_status = 'held'
                  AND EXISTS (SELECT 1 FROM inserted)
                RETURNING id
            ), queued AS (
                INSERT INTO outbox (tenant_id, topic, payload)
                SELECT \(tenantID), 'message.send', jsonb_build_object('message_id', id, 'conversation_id', \(conversationID))
                FROM released ORDER BY id
                RETURNING 1
            ), woken AS (
                INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id)
                SELECT \(tenantID), \(UUIDv7.make()), \(conversationID), 'woke', NULL::uuid
                WHERE \(woke) AND EXISTS (SELECT 1 FROM inserted)
                RETURNING 1
            )
            SELECT id FROM inserted
            """, logger: logger
        ).any()
        guard inserted else { throw LostDuplicateRace() }
    }

    /// The stored copy of `message` (same provider message id and adapter), if any.
}
