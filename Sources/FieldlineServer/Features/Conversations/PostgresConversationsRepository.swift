import FieldlineDomain
import Foundation
import PostgresNIO

/// `ConversationsRepository` on PostgreSQL.
struct PostgresConversationsRepository: ConversationsRepository {
    let database: Database

    var logger: Logger { database.logger }

    /// Two identical webhooks raced and the other one stored the message first.
    struct LostDuplicateRace: Error {}

    func ingest(_ message: InboundMessageInput, tenantID: UUID) async throws -> IngestResult {
        do {
            return try await database.withTenant(tenantID) { try await ingest(message, tenantID: tenantID, $0) }
        } catch is LostDuplicateRace {
            // The identical webhook committed first: its stored copy is what lookUp finds now.
            return try await database.withTenant(tenantID) { connection in
                guard let existing = try await lookUp(message, tenantID: tenantID, connection).existing else { throw LostDuplicateRace() }
                return existing
            }
        }
    }

    /// One transaction per message. The common case (known member, open conversation) costs
    /// two statements before the stream event: `lookUp` (dedupe, member, conversation locked,
    /// the offer a numbered answer would answer) and `store` (message, conversation, held
    /// replies released, wake-up recorded). A text quoting a message or starting with `#` first
    /// looks for the horizontal channel it speaks in (see `channelAddress`).
    private func ingest(_ message: InboundMessageInput, tenantID: UUID, _ connection: PostgresConnection) async throws -> IngestResult {
        // Before lookUp locks the member's conversation: see `PostgresChannelsRepository.lockPosts`.
        // An already stored message (a retried webhook) gets nil here, without waiting for the post
        // lock, and lookUp returns the stored copy.
        let address = try await channelAddress(of: message, tenantID: tenantID, connection)
        let found = try await lookUp(message, tenantID: tenantID, connection)
        if let existing = found.existing { return existing }
        let knownOrNew: UUID? = if let memberID = found.memberID { memberID } else { try await newUnverifiedMember(message, tenantID: tenantID, connection) }
        guard let memberID = knownOrNew else {
            throw ValidationError(field: "sender", code: "unknown_sender", message: "no member has the \(message.identityKind.rawValue) identity '\(message.sender)'")
        }
        let conversation: ActiveConversation
        let answer: (kind: MessageKind, text: String?, payload: String)?
        if let known = found.conversation {
            conversation = known
            // Words said to peers in a channel answer no menu of the desk.
            answer = address == nil ? try Self.numberedAnswer(message, offer: found.offer) : nil
        } else {
            conversation = try await activeConversation(of: memberID, tenantID: tenantID, connection)
            // A conversation opened just now has no replies yet: nothing to answer, nothing held.
            answer = conversation.opened || address != nil
                ? nil : try await numberedAnswer(message, in: conversation.id, tenantID: tenantID, connection)
        }
        let conversationID = conversation.id
        let opened = conversation.opened
        let content = answer ?? (kind: message.kind, text: message.text, payload: message.payload)
        let messageID = UUIDv7.make()
        var postID: UUID?
        if let address { postID = try await post(address, tenantID: tenantID, connection) }
        // A channel message is said to peers, not to the desk: it neither wakes a snoozed
        // conversation nor lifts it in the queues (like a broadcast, see docs/channels.md).
        let woke = conversation.status == .pending && address == nil
        try await store(message, content: content, messageID: messageID, conversationID: conversationID,
                        releaseHeld: !opened, woke: woke, deskActivity: address == nil, channelPostID: postID, tenantID: tenantID, connection)
        if let media = message.media {
            try await PostgresMediaRepository.enqueue(
                media, messageID: messageID, provider: message.provider, adapterID: message.adapterID, tenantID: tenantID,
                on: connection, logger: logger)
        }
        var events: [NewStreamEvent] = []
        if opened {
            events.append(NewStreamEvent(kind: .conversationOpened, conversationID: conversationID, data: ["member_id": .id(memberID)]))
        }
        events.append(Self.messageCreated(messageID, in: conversationID, direction: "inbound", kind: content.kind.rawValue))
        if woke {
            events.append(Self.statusChanged(conversationID, from: .pending, to: .open, reason: "member_wrote"))
        }
        if address == nil {
            events += try await RoutingEngine(logger: logger).inbound(
                text: message.text, conversationID: conversationID, opened: conversation.opened,
                routingState: conversation.routingState, tenantID: tenantID, connection)
        }
        try await StreamEventWriter.append(events, tenantID: tenantID, connection: connection, logger: logger)
        return IngestResult(messageId: messageID, conversationId: conversationID, duplicate: false)
    }

    /// A member for a sender nobody knows, in the adapter's unverified-contacts organization, so
    /// nothing a crew sends is lost; routing then treats them like anyone else.
    private func newUnverifiedMember(_ message: InboundMessageInput, tenantID: UUID, _ connection: PostgresConnection) async throws -> UUID? {
        guard let organizationID = message.unknownSenderOrganizationID else { return nil }
        let memberID = UUIDv7.make()
        let phone = [IdentityKind.whatsapp, .sms].contains(message.identityKind) ? (try? PhoneNumber(parsing: message.sender).e164) : nil
        let name = String((message.senderName?.trimmingWhitespace()).flatMap { $0.isEmpty ? nil : $0 }?.prefix(200) ?? Substring(message.sender.prefix(200)))
        // Two first messages from the same stranger can race: the second waits on the identity's
        // unique key, inserts no identity, and uses the member the first one made.
        let claimed = try await !connection.rows(
            NewMemberStatement(
                tenantID: tenantID, memberID: memberID, organizationID: organizationID, name: name, phone: phone,
                identityKind: message.identityKind.rawValue, externalID: message.sender),
            logger: logger
        ).isEmpty
        if claimed { return memberID }
        try await connection.query("DELETE FROM members WHERE tenant_id = \(tenantID) AND id = \(memberID)", logger: logger)
        return try await connection.query("""
            SELECT member_id FROM member_identities
            WHERE tenant_id = \(tenantID) AND kind = \(message.identityKind.rawValue) AND external_id = \(message.sender)
            """, logger: logger
        ).first { try $0.decode(UUID.self) }
    }

    /// The member's conversation that is not closed, opened now (`opened`) if there is none.
    private func activeConversation(of memberID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> ActiveConversation {
        let newID = UUIDv7.make()
        let opened = try await !connection.rows(
            OpenConversationStatement(tenantID: tenantID, conversationID: newID, memberID: memberID), logger: logger
        ).isEmpty
        if opened {
            return ActiveConversation(id: newID, opened: true, status: .open, routingState: "none")
        }
        let existing = try await connection.query("""
            SELECT id, status, routing_state FROM conversations
            WHERE tenant_id = \(tenantID) AND member_id = \(memberID) AND status <> 'closed'
            FOR UPDATE
            """, logger: logger
        ).first { row in
            let (id, status, routingState) = try row.decode((UUID, String, String).self)
            return ActiveConversation(id: id, opened: false, status: ConversationStatus(rawValue: status) ?? .open, routingState: routingState)
        }
        guard let existing else { throw MissingRowError(what: "active conversation") }
        return existing
    }

    struct ActiveConversation {
        let id: UUID
        let opened: Bool
        let status: ConversationStatus
        let routingState: String
    }

    func recordEvent(_ kind: String, conversationID: UUID, actor: UUID?, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id)
            VALUES (\(tenantID), \(UUIDv7.make()), \(conversationID), \(kind), \(actor))
            """, logger: logger)
    }
}
