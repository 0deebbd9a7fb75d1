import FieldlineDomain
import Foundation
import PostgresNIO

/// The desk's changes as live-stream events, appended in the transaction of the change.
extension PostgresConversationsRepository {
    /// Appends `events` and the wake-up notification; call it last in the transaction.
    func publish(_ events: NewStreamEvent..., tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await StreamEventWriter.append(events, tenantID: tenantID, connection: connection, logger: logger)
    }
}

/// Why a conversation's status changed, as `conversation.status_changed` events say.
enum StatusChangeReason: String, Sendable {
    /// The member wrote to a snoozed conversation.
    case memberWrote = "member_wrote"
    /// An agent snoozed it.
    case snoozed
    /// An agent woke it early.
    case woken
    /// Its snooze ran out.
    case snoozeEnded = "snooze_ended"
}

extension NewStreamEvent {
    /// `message.created` for a stored message.
    static func messageCreated(_ messageID: UUID, in conversationID: UUID, direction: MessageDirection, kind: MessageKind) -> NewStreamEvent {
        NewStreamEvent(
            kind: .messageCreated, conversationID: conversationID, messageID: messageID,
            data: ["message_id": .id(messageID), "direction": .string(direction.rawValue), "kind": .string(kind.rawValue)])
    }

    /// `conversation.status_changed` (snoozed, woken), with why.
    static func statusChanged(_ conversationID: UUID, from: ConversationStatus, to: ConversationStatus, reason: StatusChangeReason) -> NewStreamEvent {
        NewStreamEvent(
            kind: .conversationStatusChanged, conversationID: conversationID,
            data: ["from": .string(from.rawValue), "status": .string(to.rawValue), "reason": .string(reason.rawValue)])
    }
}
