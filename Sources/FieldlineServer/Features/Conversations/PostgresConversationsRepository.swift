import FieldlineDomain
import Foundation
import PostgresNIO

/// `ConversationsRepository` on PostgreSQL.
struct PostgresConversationsRepository: ConversationsRepository {
    let database: Database

    var logger: Logger { database.logger }

    /// Two identical webhooks raced and the other one stored the message first.
    struct LostDuplicateRace: Error {}

    /// A member for a sender nobody knows, in the adapter's unverified-contacts organization, so
    /// nothing a crew sends is lost; routing then treats them like anyone else.
    func newUnverifiedMember(_ message: InboundMessageInput, tenantID: UUID, _ connection: PostgresConnection) async throws -> UUID? {
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

    /// Each member's conversation that is not closed, opened now (`opened`) for those who have
    /// none, in one statement; in the order of `memberIDs` (a member named twice gets the same one).
    func activeConversations(of memberIDs: [UUID], tenantID: UUID, _ connection: PostgresConnection) async throws -> [ActiveConversation] {
        guard !memberIDs.isEmpty else { return [] }
        let newIDs = memberIDs.map { _ in UUIDv7.make() }
        let opened = try await connection.rows(
            OpenConversationsStatement(tenantID: tenantID, conversationIDs: newIDs, memberIDs: memberIDs), logger: logger)
        let openedByMember = Dictionary(opened.map { ($0.1, $0.0) }, uniquingKeysWith: { first, _ in first })
        var conversations: [ActiveConversation] = []
        for memberID in memberIDs {
            if let id = openedByMember[memberID] {
                // A member named twice: the second sees the conversation the first opened, as not new.
                let first = !conversations.contains { $0.id == id }
                conversations.append(ActiveConversation(id: id, opened: first, status: .open, routingState: "none"))
            } else {
                conversations.append(try await existingConversation(of: memberID, tenantID: tenantID, connection))
            }
        }
        return conversations
    }

    /// The member's conversation that is not closed (one opened meanwhile by another writer), locked.
    private func existingConversation(of memberID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> ActiveConversation {
        let existing = try await connection.query("""
            SELECT id, status, routing_state FROM conversations
            WHERE tenant_id = \(tenantID) AND member_id = \(memberID) AND status <> 'closed'
            FOR NO KEY UPDATE
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
