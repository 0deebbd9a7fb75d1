import FieldlineDomain
import Foundation
import Hummingbird

/// One message that matched a search, with the conversation it belongs to.
struct SearchHit: ResponseEncodable, Sendable {
    let message: Message
    let conversation: Conversation
}

/// What to search for and where: the text and the filters of `GET /v1/search`.
struct SearchQuery: Sendable {
    /// Longest accepted query text, in characters.
    static let maxLength = 200

    /// The query in web-search syntax: words, "a phrase", `or`, `-excluded`.
    let text: String
    /// Only members of this organization or of any organization below it.
    var organizationID: UUID?
    /// Only this member's conversations.
    var memberID: UUID?
    /// Only conversations carrying this tag.
    var tag: String?
    /// Only conversations in this status (`closed`: the archive).
    var status: ConversationStatus?
    /// Only messages in this direction (`internal`: agents' notes).
    var direction: MessageDirection?
    /// Messages created at or after this instant.
    var from: Date?
    /// Messages created before this instant.
    var to: Date?
}
