import Foundation

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

    /// Wakes the conversation if it is due, in one tenant transaction with the row's completion.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await database.completing(item) { connection in
            try await PostgresConversationsRepository(database: database).wakeIfDue(payload.conversationID, tenantID: item.tenantID, connection)
        }
    }
}
