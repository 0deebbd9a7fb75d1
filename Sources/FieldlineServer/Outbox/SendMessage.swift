import Foundation

/// `message.send`: delivers a queued outbound message through the adapter the member last wrote
/// from (`MessageSender`), or holds it while the provider's service window is closed. When it
/// dies, the message is marked `failed` with the reason.
struct SendMessage: OutboxJob {
    static let topic = "message.send"

    /// The message to send, and its conversation.
    struct Payload: Codable, Sendable, Equatable {
        let messageID: UUID
        let conversationID: UUID

        /// The stored keys (rows already in the database use them).
        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case conversationID = "conversation_id"
        }
    }

    let sender: MessageSender

    /// Sends (or holds) the message; the row completes with the message's new status.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await sender.send(payload, item: item)
    }

    /// The message will not be delivered: it says why.
    func died(_ payload: Payload, _ item: OutboxItem, reason: String) async throws {
        try await sender.markFailed(payload, item: item, reason: reason)
    }
}
