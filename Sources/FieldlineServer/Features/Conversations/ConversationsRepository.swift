import FieldlineDomain
import Foundation

/// Storage of conversations and messages; every read respects the viewer's team visibility.
/// Inbound messages are stored through `InboundIngest` (the inbound pipeline).
protocol ConversationsRepository: Sendable {
    /// Records a provider's delivery report on our outbound message (never moving backwards,
    /// e.g. a late "delivered" after "read").
    func applyDeliveryStatus(_ status: DeliveryStatus, providerMessageID: String, error: String, provider: String, adapterID: UUID, tenantID: UUID) async throws
    /// Conversations of a queue, newest first.
    func list(queue: ConversationQueue, status: ConversationStatus?, memberID: UUID?, page: PageRequest, viewer: Viewer) async throws -> [Conversation]
    /// One conversation the viewer may see, or nil.
    func get(_ id: UUID, viewer: Viewer) async throws -> Conversation?
    /// Messages of a visible conversation, newest first; nil when not visible.
    func messages(of id: UUID, page: PageRequest, viewer: Viewer) async throws -> [Message]?
    /// Queues an outbound reply (message + outbox row in one transaction); nil when not visible.
    func reply(to id: UUID, content: ReplyContent, viewer: Viewer) async throws -> Message?
    /// Adds an internal note; nil when not visible.
    func addNote(to id: UUID, text: String, viewer: Viewer) async throws -> Message?
    /// Closes (archives) a conversation; nil when not visible.
    func close(_ id: UUID, viewer: Viewer) async throws -> Conversation?
    /// Assigns to an agent and/or a team (a transfer when someone held it); nil when not visible.
    func assign(_ id: UUID, assignee: FieldUpdate<UUID>, team: FieldUpdate<UUID>, viewer: Viewer) async throws -> Conversation?
    /// Snoozes (status `pending`) until `until` or the member's next message; nil when not visible.
    func snooze(_ id: UUID, until: Date, viewer: Viewer) async throws -> Conversation?
    /// Ends a snooze now; nil when not visible.
    func wake(_ id: UUID, viewer: Viewer) async throws -> Conversation?
    /// Adds (`present`) or removes a tag; nil when not visible.
    func setTag(_ tag: String, on id: UUID, present: Bool, viewer: Viewer) async throws -> Conversation?
    /// The member's closed conversations that the viewer may see, with their messages (and the
    /// linked jobs and proofs that `links` asks for and the viewer may see), newest first; nil
    /// for an unknown member.
    func timeline(of memberID: UUID, page: PageRequest, viewer: Viewer, links: TimelineLinkKinds) async throws -> [ArchivedConversation]?
}
