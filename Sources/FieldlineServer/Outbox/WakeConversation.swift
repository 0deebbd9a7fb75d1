import Foundation
import PostgresNIO

/// `conversation.wake`: wakes a snoozed conversation when its snooze runs out (queued due at
/// `snoozed_until`). A conversation woken early, closed or snoozed again is left alone. Nothing
/// to undo when it dies: the conversation stays `pending` until someone wakes it or the member writes.
struct WakeConversation: OutboxJob {
    static let topic = "conversation.wake"

    /// The snoozed conversation.
    struct Payload: Codable, Sendable, Equatable {
        let conversationID: UUID

        /// The stored key (rows already in the database use it).
        enum CodingKeys: String, CodingKey { case conversationID = "conversation_id" }
    }

    let database: Database
    /// Where snoozes end (the conversations feature).
    let snoozes: any SnoozeEnding

    /// Wakes the conversation if it is due, in one tenant transaction with the row's completion.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await database.completing(item) { connection in
            try await snoozes.wakeIfDue(payload.conversationID, tenantID: item.tenantID, connection)
        }
    }
}

/// What the `conversation.wake` job needs of conversations: ending a snooze that ran out.
protocol SnoozeEnding: Sendable {
    /// Wakes the conversation if its snooze has run out, inside the caller's transaction; a
    /// conversation woken early, closed, or snoozed again later is left alone.
    func wakeIfDue(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws
}
