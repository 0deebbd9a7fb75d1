import FieldlineDomain
import Foundation
import PostgresNIO

/// The desk's changes as live-stream events, appended in the transaction of the change.
extension PostgresConversationsRepository {
    /// Appends `events` and the wake-up notification; call it last in the transaction.
    func publish(_ events: NewStreamEvent..., tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await StreamEventWriter.append(events, tenantID: tenantID, connection: connection, logger: logger)
    }

    /// `message.created` for a stored message.
    static func messageCreated(_ messageID: UUID, in conversationID: UUID, direction: String, kind: String) -> NewStreamEvent {
        NewStreamEvent(
            kind: .messageCreated, conversationID: conversationID, messageID: messageID,
            data: ["message_id": .id(messageID), "direction": .string(direction), "kind": .string(kind)])
    }

    /// `conversation.status_changed` (snoozed, woken), with why.
    static func statusChanged(_ conversationID: UUID, from: ConversationStatus, to: ConversationStatus, reason: String) -> NewStreamEvent {
        NewStreamEvent(
            kind: .conversationStatusChanged, conversationID: conversationID,
            data: ["from": .string(from.rawValue), "status": .string(to.rawValue), "reason": .string(reason)])
    }
}
