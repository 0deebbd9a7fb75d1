import FieldlineChannels
import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A thread with one member: status, who has it, and the timing facts analytics use.
struct Conversation: ResponseEncodable, Sendable {
    let id: UUID
    let memberId: UUID
    let status: ConversationStatus
    let assigneeId: UUID?
    let teamId: UUID?
    let tags: [String]
    let openedAt: Date
    let lastMessageAt: Date
    let firstHumanReplyAt: Date?
    let closedAt: Date?
    /// While snoozed (`pending`): when it wakes by itself.
    let snoozedUntil: Date?
    /// Where routing left it: `none`, `awaiting_choice` (menu sent), `queued`, `assigned`.
    let routingState: RoutingState
    /// Since when it waits in its team's queue.
    let queuedAt: Date?
    /// The flow run under way here (waiting, or paused by an agent's reply), with its step.
    let flowRun: ConversationFlowRun?

    /// The columns of a conversation row aliased `c`, with a `$tenant(…)` placeholder: a
    /// statement interpolates them as `\(columns: Conversation.columns, tenant: tenantID)`.
    static let columns = TenantColumns("""
        c.id, c.member_id, c.status, c.assignee_id, c.team_id, c.tags, c.opened_at, c.last_message_at,
        c.first_human_reply_at, c.closed_at, c.snoozed_until, c.routing_state, c.queued_at, \(ConversationFlowRun.column("c"))
        """)

    init(row: PostgresRow) throws {
        let (id, memberID, status, assigneeID, teamID, tags, openedAt, lastMessageAt, firstHumanReplyAt, closedAt, snoozedUntil, routingState, queuedAt, flowRun) =
            try row.decode((UUID, UUID, String, UUID?, UUID?, [String], Date, Date, Date?, Date?, Date?, String, Date?, String?).self)
        self.flowRun = ConversationFlowRun.parse(flowRun)
        self.snoozedUntil = snoozedUntil
        self.routingState = RoutingState(rawValue: routingState) ?? .none
        self.queuedAt = queuedAt
        self.id = id
        self.memberId = memberID
        self.status = ConversationStatus(rawValue: status) ?? .open
        self.assigneeId = assigneeID
        self.teamId = teamID
        self.tags = tags
        self.openedAt = openedAt
        self.lastMessageAt = lastMessageAt
        self.firstHumanReplyAt = firstHumanReplyAt
        self.closedAt = closedAt
    }
}

/// One message of a conversation, inbound, outbound or an internal note.
struct Message: ResponseEncodable, Sendable {
    let id: UUID
    let conversationId: UUID
    let direction: MessageDirection
    let kind: MessageKind
    let text: String?
    /// What the kind carries besides text: choices, image, location, a picked `choice_id`, media.
    let payload: JSONValue
    let authorUserId: UUID?
    let provider: String?
    let providerMessageId: String?
    let deliveryStatus: FieldlineDomain.DeliveryStatus?
    /// Why an outbound message is `held` or `failed`.
    let deliveryError: String?
    let createdAt: Date
    /// The file this message carries (image, document), with its fetch status.
    let media: MessageMedia?
    /// The channel post this message is a delivery of (outbound), or that it made in a channel (a
    /// member's inbound message addressed to a horizontal channel).
    let channelPostId: UUID?

    /// The columns of a message row aliased `m`. Its media is a subquery on the same tenant's
    /// shard, not the `message_media()` function: on Citus a function that reads a distributed
    /// table cannot run inside a query on a shard. With a `$tenant(…)` placeholder: a statement
    /// interpolates them as `\(columns: Message.columns, tenant: tenantID)`.
    static let columns = TenantColumns("""
        m.id, m.conversation_id, m.direction, m.kind, m.body, m.author_user_id, m.provider, m.provider_message_id,
        m.delivery_status, m.created_at, \(mediaColumn("m")), m.payload::text, m.delivery_error,
        m.channel_post_id
        """)

    /// The same columns in the `RETURNING` of an `INSERT INTO messages`: a message just written
    /// has no media yet (a media row refers to its message), and Citus allows no subquery there.
    static let insertedColumns = """
        id, conversation_id, direction, kind, body, author_user_id, provider, provider_message_id,
        delivery_status, created_at, NULL::text, payload::text, delivery_error, channel_post_id
        """

    /// `{"id", "status"}` of the media of the message aliased `m`, as text, or NULL (with a
    /// `$tenant(md)` placeholder, see `appendFragment`).
    static func mediaColumn(_ m: String) -> String {
        "(SELECT jsonb_build_object('id', md.id, 'status', md.status)::text FROM media md WHERE md.tenant_id = \(m).tenant_id$tenant(md) AND md.message_id = \(m).id)"
    }

    init(row: PostgresRow) throws {
        let (id, conversationID, direction, kind, text, authorUserID, provider, providerMessageID, deliveryStatus, createdAt, media, payload, deliveryError, channelPostID) =
            try row.decode((UUID, UUID, String, String, String?, UUID?, String?, String?, String?, Date, String?, String, String?, UUID?).self)
        self.payload = (try? JSONDecoder().decode(JSONValue.self, from: Data(payload.utf8))) ?? .object([:])
        self.deliveryError = deliveryError
        self.channelPostId = channelPostID
        self.id = id
        self.conversationId = conversationID
        self.direction = MessageDirection(rawValue: direction) ?? .inbound
        self.kind = MessageKind(rawValue: kind) ?? .unsupported
        self.text = text
        self.authorUserId = authorUserID
        self.provider = provider
        self.providerMessageId = providerMessageID
        self.deliveryStatus = deliveryStatus.flatMap(FieldlineDomain.DeliveryStatus.init(rawValue:))
        self.createdAt = createdAt
        self.media = MessageMedia.parse(media)
    }
}

/// An archived conversation with its messages, as the member's timeline shows it.
struct ArchivedConversation: ResponseEncodable, Sendable {
    let conversation: Conversation
    let messages: [Message]
    /// Jobs linked to it; absent when the caller may not read jobs.
    let jobs: [JobSummary]?
    /// Proofs that came from it; absent when the caller may not read proofs.
    let proofs: [ProofSummary]?
}

/// Which links the timeline adds to each conversation.
struct TimelineLinkKinds: Sendable {
    let jobs: Bool
    let proofs: Bool
}
