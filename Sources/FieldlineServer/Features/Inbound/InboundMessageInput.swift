import FieldlineChannels
import FieldlineDomain
import Foundation
import Hummingbird

/// Where an inbound message came from: a provider's adapter, or the built-in `app` adapter
/// (`POST /v1/app/messages`). Its word is stored in `messages.provider`, and it is also the kind
/// of identity the sender is known by.
enum InboundProvider: Sendable, Hashable {
    /// Through an adapter of a messaging provider.
    case channel(ChannelProvider)
    /// Through the built-in app adapter.
    case app

    /// The word used in the API and in SQL: `whatsapp`, `telegram`, `sms`, `messenger`, `app`.
    var rawValue: String {
        switch self {
        case .channel(let provider): provider.rawValue
        case .app: "app"
        }
    }

    /// The kind of identity a sender through this provider has.
    var identityKind: IdentityKind {
        switch self {
        case .channel(.whatsapp): .whatsapp
        case .channel(.telegram): .telegram
        case .channel(.sms): .sms
        case .channel(.messenger): .messenger
        case .channel(.sandbox): .sandbox
        case .app: .app
        }
    }
}

/// What a stored message holds, as the `messages` row has it: its kind, its text, and the JSON
/// `payload` of what the kind carries besides text.
struct StoredContent: Sendable, Equatable {
    let kind: MessageKind
    let text: String?
    let payload: JSONValue
}

/// A message arriving from a member through an adapter: what the inbound pipeline stores.
struct InboundMessageInput: Sendable {
    /// The provider it came through.
    let provider: InboundProvider
    /// The adapter it came through; nil for the built-in app adapter.
    var adapterID: UUID? = nil
    /// Where to create a member for a sender nobody knows (provider adapters); nil refuses them.
    var unknownSenderOrganizationID: UUID? = nil
    /// A display name for such a new member.
    var senderName: String? = nil
    /// The file an image or document message carries, fetched in the background.
    var media: InboundMediaInput? = nil
    /// The provider id of the message this one quotes (a reply); a relay copy of a horizontal
    /// channel post makes the message speak in that channel.
    var replyToProviderMessageID: String? = nil
    /// Who sent it, as their identity of `provider`'s kind has it (E.164, chat id, PSID, app user id).
    let sender: String
    /// The provider's id for the message, unique per adapter: retried webhooks are stored once.
    let providerMessageID: String
    /// What the member sent.
    let content: StoredContent

    /// A message from `sender` through `provider`.
    init(provider: InboundProvider, sender: String, providerMessageID: String, kind: MessageKind, text: String?, payload: JSONValue = [:]) {
        self.provider = provider
        self.sender = sender
        self.providerMessageID = providerMessageID
        content = StoredContent(kind: kind, text: text, payload: payload)
    }

    /// The kind of identity the sender is known by.
    var identityKind: IdentityKind { provider.identityKind }
    /// The message's kind.
    var kind: MessageKind { content.kind }
    /// The message's text (a caption, a location's name, a choice's title).
    var text: String? { content.text }

    /// Who sent it, as ingest tells senders apart: the identity's kind and external id.
    var senderKey: String { "\(identityKind.rawValue)\u{0}\(sender)" }
}

/// What ingesting a message did.
struct IngestResult: ResponseEncodable, Sendable {
    let messageId: UUID
    let conversationId: UUID
    /// True when this provider message id was already stored (a retried webhook).
    let duplicate: Bool
}
