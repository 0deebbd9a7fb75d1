import FieldlineDomain
import Foundation

/// One step of the inbound pipeline (`InboundPipeline`): one job done for the messages of a
/// wave, inside the batch's transaction. A step reads what earlier steps found or decided on
/// each `InboundItem` and writes its own part.
protocol InboundStep: Sendable {
    /// When the step runs; see `InboundStepScope`.
    var scope: InboundStepScope { get }
    /// Does the step's job for the messages of `wave`.
    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws
}

/// When a step runs.
enum InboundStepScope: Sendable {
    /// Once, on all of the batch's messages, before the first wave locks anything.
    case batch
    /// Once per wave, on all of its messages together.
    case wave
    /// Once per wave, on all of its messages together; but when a message of the wave speaks in
    /// a horizontal channel, the run of consecutive `.message` steps goes message by message in
    /// arrival order instead. Its channel post may create a member or open a later sender's
    /// conversation, and that later message must see it, as if stored after it.
    case message
}

/// The messages a step works on: a wave holds at most one message per sender (and per
/// member), so a sender's messages land in order and each sees what the one before did.
struct InboundWave: Sendable {
    /// The wave's messages, in arrival order.
    var items: [InboundItem]

    /// Whether a message of the wave speaks in a horizontal channel.
    var speaksInChannel: Bool { items.contains { $0.channelAddress != nil } }

    /// Runs `body` on each message still to be decided and stored (not a stored copy, not left
    /// for the next wave, not stored yet), in order.
    mutating func forEachActive(_ body: (inout InboundItem) async throws -> Void) async rethrows {
        for index in items.indices where items[index].isActive { try await body(&items[index]) }
    }

    /// Runs `body` on each message this wave stored, in order.
    mutating func forEachStored(_ body: (inout InboundItem) async throws -> Void) async rethrows {
        for index in items.indices where items[index].stored { try await body(&items[index]) }
    }
}

/// One message on its way through the pipeline: what the steps found and decided about it.
struct InboundItem: Sendable {
    /// Its position in the batch.
    let index: Int
    let message: InboundMessageInput
    /// The horizontal channel the message speaks in, when it does (set once per batch).
    var channelAddress: ChannelAddress?

    /// A stored copy of the message: it came before (a retried webhook). Nothing more is done.
    var existing: IngestResult?
    /// The sender's member, known or made for a stranger.
    var memberID: UUID?
    /// The member was made for this message (a sender nobody knew).
    var newMember = false
    /// The member's conversation that is not closed, locked until commit.
    var conversation: ActiveConversation?
    /// `conversation` was open before this message (the look-up found it).
    var conversationWasOpen = false
    /// The last reply that offered choices, when the message is short enough to answer it.
    var offer: ChoiceOffer?
    /// Left for the next wave: the member also wrote through another identity in this one.
    var deferred = false

    /// What is stored: what the member sent, or what it answered (a numbered choice).
    var content: StoredContent
    /// The channel post the message made, when it spoke in a horizontal channel.
    var channelPostID: UUID?
    /// The id the message is stored under.
    let messageID = UUIDv7.make()
    /// Stored by this transaction.
    var stored = false
    /// The answer to the webhook: the stored message, or the copy stored before.
    var result: IngestResult?
    /// A flow run took the message (its answer, or a trigger that started one): routing leaves
    /// the conversation to the bot.
    var heldByFlow = false
    /// Stream events that later steps (routing) add after the message's own.
    var followingEvents: [NewStreamEvent] = []

    /// A message of the batch, not yet looked at.
    init(index: Int, message: InboundMessageInput, channelAddress: ChannelAddress? = nil) {
        self.index = index
        self.message = message
        self.channelAddress = channelAddress
        content = message.content
    }

    /// Still to be decided and stored in this wave.
    var isActive: Bool { existing == nil && !deferred && !stored && result == nil }
    /// The member wrote to the desk, not to peers in a channel: the conversation is lifted in the
    /// queues and woken (a channel message is like a broadcast, see docs/channels.md).
    var isDeskActivity: Bool { channelAddress == nil }
    /// Puts the conversation's held replies back in the outbox: the member wrote, so the service
    /// window is open again (see `MessageSender.hold`). A new conversation has none.
    var releasesHeld: Bool { conversation.map { !$0.opened } ?? false }
    /// The message wakes a snoozed conversation.
    var wakes: Bool { conversation?.status == .pending && isDeskActivity }

    /// The conversation, which the steps before the store must have found or opened.
    func requireConversation() throws -> ActiveConversation {
        guard let conversation else { throw MissingRowError(what: "ingest conversation") }
        return conversation
    }
}

/// A member's conversation that is not closed, as ingest found or opened it; locked
/// `FOR NO KEY UPDATE` until commit.
struct ActiveConversation: Sendable {
    let id: UUID
    /// Opened for this message.
    let opened: Bool
    let status: ConversationStatus
    let routingState: RoutingState
}
