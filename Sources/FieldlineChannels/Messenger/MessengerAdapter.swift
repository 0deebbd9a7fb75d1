/// The Messenger Platform behind `ProviderAdapter`: Meta-signed webhooks with the
/// `hub.challenge` handshake, sends from `config.page_id`, the `HUMAN_AGENT` tag when the
/// page enables it, and attachments fetched with a plain GET.
public struct MessengerAdapter: MetaPlatformAdapter {
    /// The config key of the sending Page id (required to send).
    public static let pageIDKey = "page_id"
    /// The config key that lets people's replies go out with the `HUMAN_AGENT` tag (`"true"`).
    public static let humanAgentTagKey = "human_agent_tag"

    /// Creates the adapter.
    public init() {}

    /// `.messenger`.
    public var provider: ChannelProvider { .messenger }
    /// `Capabilities.messenger`.
    public var capabilities: Capabilities { .messenger }
    /// `MESSENGER_API_URL`.
    public var apiBaseURLVariable: String { "MESSENGER_API_URL" }

    /// `MessengerInbound.parse`.
    public func parse(_ webhook: InboundWebhook) throws(ChannelParseError) -> [InboundEvent] {
        try MessengerInbound.parse(webhook.body)
    }

    /// `MessengerOutbound.render` from `config.page_id`; with `messageTag`, as `MESSAGE_TAG`.
    public func render(
        _ message: OutboundMessage, to recipient: String, account: AccountSettings, messageTag: String?
    ) throws(RenderError) -> [ProviderRequest] {
        let page = MessengerPage(pageID: try account.required(Self.pageIDKey, for: .messenger), pageAccessToken: account.credentials.accessToken)
        return try MessengerOutbound.render(
            message, to: recipient, page: page, messagingType: messageTag.map(MessengerMessagingType.messageTag) ?? .response)
    }

    /// `config.human_agent_tag` is `"true"` (once Meta granted the page the permission).
    public func sendsHumanAgentTag(_ account: AccountSettings) -> Bool {
        account.config[Self.humanAgentTagKey] == "true"
    }

    /// `message_id`.
    public func messageID(inSendResponse body: [UInt8], recipient: String) throws(ChannelParseError) -> String {
        try MessengerOutbound.parseSendResponse(body)
    }

    /// Attachment URLs are public CDN links: no credentials.
    public var mediaNeedsAccount: Bool { false }

    /// A plain GET of the attachment URL.
    public func mediaDownload(
        _ media: MediaReference, account: AccountSettings?, apiBaseURL: String
    ) throws(MediaDownloadError) -> MediaDownloadPlan {
        guard let url = media.url, !url.isEmpty else { throw .missing("url") }
        return .get(MediaDownload(url: url, declaredType: media.mimeType))
    }
}
