/// Everything Fieldline knows about speaking to one provider, in one place: the credentials an
/// account needs, checking and reading its webhooks, rendering our replies, reading its send
/// answers and fetching its media. Pure formats, no I/O: the server does the HTTP and the
/// database, and looks the provider's adapter up in one table (`ChannelProvider.adapter`).
///
/// Named in DESIGN.md's words: an *adapter* is the transport for one provider account, and this
/// is what every adapter of a *provider* does, given that account's settings (`AccountSettings`).
/// Not `ChannelAdapter`: in our domain a *channel* is a business line over the organization graph,
/// not a messaging provider.
public protocol ProviderAdapter: Sendable {
    /// The provider this adapter speaks.
    var provider: ChannelProvider { get }
    /// What the provider can show natively (buttons, lists, captions, locations).
    var capabilities: Capabilities { get }
    /// The credentials an account needs, as the API names them, in the order they are checked.
    var credentialFields: [CredentialField] { get }
    /// The provider's public API, the base of every `ProviderRequest` path.
    var defaultAPIBaseURL: String { get }
    /// The environment variable that points the server at another API host (a fake provider).
    var apiBaseURLVariable: String { get }

    /// Throws unless `webhook` was signed (or carries the secret) of `account`.
    func verify(_ webhook: InboundWebhook, account: AccountSettings) throws(SignatureError)
    /// The events of a verified webhook, in order; throws only when it is not the provider's webhook.
    func parse(_ webhook: InboundWebhook) throws(ChannelParseError) -> [InboundEvent]
    /// The answer to a subscription handshake (a GET with `query`); `.unsupported` by default.
    func handshake(query: [String: String], account: AccountSettings) -> WebhookHandshake
    /// The success answer to a stored webhook that held `eventCount` events.
    func webhookAnswer(eventCount: Int) -> WebhookAnswer

    /// The requests that deliver `message` to `recipient`, in order. `messageTag` sends outside
    /// the standard window where the provider has tags (Messenger's `HUMAN_AGENT`); others ignore it.
    /// Throws `RenderError.misconfigured` when the account lacks a setting the provider needs.
    func render(
        _ message: OutboundMessage, to recipient: String, account: AccountSettings, messageTag: String?
    ) throws(RenderError) -> [ProviderRequest]
    /// The request that sends an approved template; `RenderError.templatesUnsupported` by default.
    func renderTemplate(
        _ template: MessageTemplate, to recipient: String, account: AccountSettings
    ) throws(RenderError) -> ProviderRequest
    /// The approved template the account sends when the service window is closed; none by default.
    func reengagementTemplate(_ account: AccountSettings) -> MessageTemplate?
    /// Whether people's replies may go out with the `HUMAN_AGENT` tag; false by default.
    func sendsHumanAgentTag(_ account: AccountSettings) -> Bool
    /// The provider's id of the message it accepted, as its delivery reports and our inbound ids name it.
    func messageID(inSendResponse body: [UInt8], recipient: String) throws(ChannelParseError) -> String

    /// Whether the server itself plays the provider (the sandbox phone): rendered requests are
    /// kept for the phone to read instead of being sent over HTTP; false by default.
    var deliversInProcess: Bool { get }

    /// Whether fetching media needs the account's credentials (true by default); when false the
    /// server passes no account to `mediaDownload`.
    var mediaNeedsAccount: Bool { get }
    /// How to fetch `media`: a description of the HTTP steps, which the server executes.
    /// `apiBaseURL` is where this provider's API is configured to be.
    func mediaDownload(
        _ media: MediaReference, account: AccountSettings?, apiBaseURL: String
    ) throws(MediaDownloadError) -> MediaDownloadPlan
}

extension ProviderAdapter {
    /// Most providers have no handshake: their webhooks are POST only.
    public func handshake(query: [String: String], account: AccountSettings) -> WebhookHandshake { .unsupported }

    /// `{"received": n}` as JSON.
    public func webhookAnswer(eventCount: Int) -> WebhookAnswer {
        WebhookAnswer(contentType: "application/json", body: #"{"received":\#(eventCount)}"#)
    }

    /// Templates exist only where a provider says so.
    public func renderTemplate(
        _ template: MessageTemplate, to recipient: String, account: AccountSettings
    ) throws(RenderError) -> ProviderRequest {
        throw .templatesUnsupported(provider)
    }

    /// No template unless the provider has them and the account names one.
    public func reengagementTemplate(_ account: AccountSettings) -> MessageTemplate? { nil }

    /// No `HUMAN_AGENT` tag unless the provider has it and the account enables it.
    public func sendsHumanAgentTag(_ account: AccountSettings) -> Bool { false }

    /// Every real provider is reached over HTTP.
    public var deliversInProcess: Bool { false }

    /// Media comes with credentials unless the provider says otherwise.
    public var mediaNeedsAccount: Bool { true }

    /// Verifies, then parses: the one call the webhook route makes.
    public func verifiedEvents(_ webhook: InboundWebhook, account: AccountSettings) throws -> [InboundEvent] {
        try verify(webhook, account: account)
        return try parse(webhook)
    }
}
