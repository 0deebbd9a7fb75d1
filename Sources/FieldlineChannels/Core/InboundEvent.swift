import Foundation

/// The one internal shape that every adapter's inbound parser produces.
public enum InboundEvent: Sendable, Equatable {
    /// Something a member sent us.
    case message(InboundMessage)
    /// News about a message we sent (sent, delivered, read, failed).
    case status(DeliveryStatusUpdate)
}

/// A message a member sent through a provider.
public struct InboundMessage: Sendable, Equatable {
    /// The provider the message came through.
    public var provider: ChannelProvider
    /// The provider's id for this message, unique per adapter (the dedupe key for retried webhooks).
    ///
    /// Telegram message ids are unique only inside a chat, so they are given as `"<chat id>:<message id>"`.
    /// When one provider message carries several media items, the second and later items get
    /// `"<id>#<n>"` so that each stays a distinct message.
    public var providerMessageID: String
    /// Who sent it: E.164 for WhatsApp and SMS, the chat id for Telegram, the PSID for Messenger.
    public var sender: String
    /// The sender's display name, when the provider tells it.
    public var senderName: String?
    /// When the provider says the message was sent.
    public var sentAt: Date?
    /// What the message holds.
    public var content: MessageContent
    /// The provider id of our message this one answers (quoted reply, button press), if any.
    public var replyToProviderMessageID: String?

    /// Creates a message.
    public init(
        provider: ChannelProvider, providerMessageID: String, sender: String, senderName: String? = nil,
        sentAt: Date? = nil, content: MessageContent, replyToProviderMessageID: String? = nil
    ) {
        self.provider = provider
        self.providerMessageID = providerMessageID
        self.sender = sender
        self.senderName = senderName
        self.sentAt = sentAt
        self.content = content
        self.replyToProviderMessageID = replyToProviderMessageID
    }
}

/// What an inbound message holds.
public enum MessageContent: Sendable, Equatable {
    /// Plain text.
    case text(String)
    /// A photo, with an optional caption.
    case image(MediaReference, caption: String?)
    /// Any other file (PDF, voice note, video, audio), with an optional file name and caption.
    case document(MediaReference, filename: String?, caption: String?)
    /// A shared location or venue.
    case location(latitude: Double, longitude: Double, name: String?, address: String?)
    /// A button, list row, callback or quick reply the member picked.
    case choice(id: String, title: String?)
    /// A kind we do not model yet; `raw` is that message's JSON (or form fields), so nothing is lost.
    case unsupported(type: String, raw: String)
}

/// Where inbound media can be fetched: by provider media id, by URL, or both.
public struct MediaReference: Sendable, Equatable {
    /// The provider's media id (WhatsApp media id, Telegram `file_id`).
    public var providerMediaID: String?
    /// A URL to download it from (Twilio, Messenger).
    public var url: String?
    /// The content type the provider announced (to be checked against magic bytes later).
    public var mimeType: String?
    /// The provider's SHA-256 of the file, as the provider encodes it (WhatsApp: Base64).
    public var sha256: String?

    /// Creates a media reference.
    public init(providerMediaID: String? = nil, url: String? = nil, mimeType: String? = nil, sha256: String? = nil) {
        self.providerMediaID = providerMediaID
        self.url = url
        self.mimeType = mimeType
        self.sha256 = sha256
    }
}
