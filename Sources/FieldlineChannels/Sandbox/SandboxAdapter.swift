/// The sandbox: a crew member's phone played in a browser (`GET /sandbox`), so agents, demos and
/// tests can try both sides of a conversation without an account at a messaging provider.
///
/// It is a provider like the others: the phone's messages arrive on the adapter's webhook URL,
/// checked against the adapter's `secret`, and go through the inbound pipeline; replies are
/// rendered here (buttons, a list or numbered text, as WhatsApp would show them) and sent by the
/// outbox. Only the transport differs: the server keeps what it sends for the phone to read
/// (`deliversInProcess`), and the photos the phone sends are already in the media store.
public struct SandboxAdapter: ProviderAdapter {
    /// The header the phone sends the adapter's secret in.
    public static let secretHeader = "X-Sandbox-Secret"

    /// Creates the adapter.
    public init() {}

    /// `.sandbox`.
    public var provider: ChannelProvider { .sandbox }
    /// `Capabilities.sandbox`.
    public var capabilities: Capabilities { .sandbox }
    /// `secret`: what the phone page and its webhooks authenticate with (16–200 visible
    /// characters); like Twilio's auth token it both checks and "sends".
    public var credentialFields: [CredentialField] {
        [CredentialField("secret", becomes: [.accessToken, .signingSecret], format: (
            "secret must be 16-200 visible ASCII characters (no spaces)", SandboxInbound.isWellFormedSecret))]
    }
    /// Never called: the sandbox is served by the server itself.
    public var defaultAPIBaseURL: String { "http://sandbox.invalid" }
    /// `SANDBOX_API_URL` (unused; every provider has one).
    public var apiBaseURLVariable: String { "SANDBOX_API_URL" }
    /// What the outbox sends is kept by the server for the phone page, not sent over HTTP.
    public var deliversInProcess: Bool { true }

    /// `X-Sandbox-Secret` equals the adapter's secret (constant time).
    public func verify(_ webhook: InboundWebhook, account: AccountSettings) throws(SignatureError) {
        guard let secret = webhook.header(Self.secretHeader) else { throw .missingHeader(Self.secretHeader) }
        guard ConstantTime.equals(secret, account.credentials.signingSecret) else { throw .mismatch }
    }

    /// `SandboxInbound.parse`.
    public func parse(_ webhook: InboundWebhook) throws(ChannelParseError) -> [InboundEvent] {
        try SandboxInbound.parse(webhook.body)
    }

    /// `SandboxOutbound.render`.
    public func render(
        _ message: OutboundMessage, to recipient: String, account: AccountSettings, messageTag: String?
    ) throws(RenderError) -> [ProviderRequest] {
        try SandboxOutbound.render(message, to: recipient)
    }

    /// `{"id": "..."}`.
    public func messageID(inSendResponse body: [UInt8], recipient: String) throws(ChannelParseError) -> String {
        guard let id = try JSONValue.parse(body, provider: .sandbox)["id"]?.string, !id.isEmpty else {
            throw .unexpectedPayload(provider: .sandbox, detail: "the send answer has no id")
        }
        return id
    }

    /// The phone uploaded the photo into the media store first: its `media_id` is its SHA-256.
    public var mediaNeedsAccount: Bool { false }

    /// `.stored`: the file is in the media store under the SHA-256 the phone's upload answered.
    public func mediaDownload(
        _ media: MediaReference, account: AccountSettings?, apiBaseURL: String
    ) throws(MediaDownloadError) -> MediaDownloadPlan {
        guard let sha256 = media.providerMediaID, SandboxInbound.isSHA256(sha256) else { throw .missing("media_id") }
        return .stored(sha256: sha256, declaredType: media.mimeType)
    }
}

extension Capabilities {
    /// The sandbox phone shows what WhatsApp shows: 3 reply buttons (20 characters), lists of 10
    /// rows (24 characters), numbered text beyond that; images with captions; map pins.
    public static let sandbox = Capabilities(
        maxButtons: 3, maxButtonTitleLength: 20, maxListRows: 10, maxListRowTitleLength: 24,
        maxChoiceIDBytes: 256, supportsImages: true, supportsCaptions: true, maxCaptionLength: 1024,
        supportsLocation: true, maxTextLength: 4096)
}
