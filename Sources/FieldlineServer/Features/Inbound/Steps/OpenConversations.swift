import FieldlineDomain
import Foundation

/// Opens a conversation for each member who has none that is not closed, in one statement
/// (`OpenConversationsStatement`) and in member order: a channel post opens its recipients' in
/// that order too, so a post and a batch never each hold a new conversation the other waits for.
/// A member whose conversation another writer opened meanwhile gets that one, locked.
struct OpenConversations: InboundStep {
    var scope: InboundStepScope { .message }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        let needing = wave.items.indices.filter { wave.items[$0].isActive && wave.items[$0].conversation == nil }
        let members = try needing.map { index in
            guard let memberID = wave.items[index].memberID else { throw MissingRowError(what: "ingest member") }
            return memberID
        }
        let conversations = try await Self.activeConversations(of: members, in: transaction)
        for (index, conversation) in zip(needing, conversations) { wave.items[index].conversation = conversation }
    }

    /// Each member's conversation that is not closed, opened now (`opened`) for those who have
    /// none; in the order of `memberIDs` (a member named twice gets the same one).
    static func activeConversations(of memberIDs: [UUID], in transaction: TenantTransaction) async throws -> [ActiveConversation] {
        guard !memberIDs.isEmpty else { return [] }
        let newIDs = memberIDs.map { _ in UUIDv7.make() }
        let opened = try await transaction.rows(
            OpenConversationsStatement(tenantID: transaction.tenantID, conversationIDs: newIDs, memberIDs: memberIDs))
        let openedByMember = Dictionary(opened.map { ($0.1, $0.0) }, uniquingKeysWith: { first, _ in first })
        var conversations: [ActiveConversation] = []
        for memberID in memberIDs {
            if let id = openedByMember[memberID] {
                // A member named twice: the second sees the conversation the first opened, as not new.
                let first = !conversations.contains { $0.id == id }
                conversations.append(ActiveConversation(id: id, opened: first, status: .open, routingState: .none))
            } else {
                conversations.append(try await existingConversation(of: memberID, in: transaction))
            }
        }
        return conversations
    }

    /// The member's conversation that is not closed (one opened meanwhile by another writer), locked.
    private static func existingConversation(of memberID: UUID, in transaction: TenantTransaction) async throws -> ActiveConversation {
        let existing = try await transaction.query("""
            SELECT id, status, routing_state FROM conversations
            WHERE tenant_id = \(transaction.tenantID) AND member_id = \(memberID) AND status <> 'closed'
            FOR NO KEY UPDATE
            """
        ).first { row in
            let (id, status, routingState) = try row.decode((UUID, String, String).self)
            return ActiveConversation(
                id: id, opened: false, status: ConversationStatus(rawValue: status) ?? .open,
                routingState: RoutingState(rawValue: routingState) ?? .none)
        }
        guard let existing else { throw MissingRowError(what: "active conversation") }
        return existing
    }
}
