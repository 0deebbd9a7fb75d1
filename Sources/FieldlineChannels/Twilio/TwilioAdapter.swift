/// SMS/MMS through Twilio behind `ProviderAdapter`: `X-Twilio-Signature` over the URL and
/// form, a TwiML answer, sends from `config.phone_number` with basic auth, and MMS media with
/// basic auth sent only to Twilio's own API origin.
public struct TwilioAdapter: ProviderAdapter {
    /// The config key of the sending number in E.164 (required to send).
    public static let phoneNumberKey = "phone_number"

    /// Creates the adapter.
    public init() {}

    /// `.sms`.
    public var provider: ChannelProvider { .sms }
    /// `Capabilities.sms`.
    public var capabilities: Capabilities { .sms }
    /// `auth_token` (REST password and webhook signing key) and `account_sid`.
    public var credentialFields: [CredentialField] {
        [
            CredentialField("auth_token", becomes: [.accessToken, .signingSecret]),
            CredentialField("account_sid", becomes: [.accountSID]),
        ]
    }
    /// Twilio's REST API.
    public var defaultAPIBaseURL: String { "https://api.twilio.com" }
    /// `TWILIO_API_URL`.
    public var apiBaseURLVariable: String { "TWILIO_API_URL" }

    /// `X-Twilio-Signature` over the URL called and the form fields (or the JSON body's hash).
    public func verify(_ webhook: InboundWebhook, account: AccountSettings) throws(SignatureError) {
        try TwilioSignature.verify(
            url: webhook.url, body: webhook.isJSON ? .json(webhook.body) : .form(FormEncoding.decode(webhook.body)),
            header: webhook.header(TwilioSignature.headerName), authToken: account.credentials.signingSecret)
    }

    /// `TwilioInbound.parse` of a form; a JSON webhook carries no message we read.
    public func parse(_ webhook: InboundWebhook) throws(ChannelParseError) -> [InboundEvent] {
        webhook.isJSON ? [] : TwilioInbound.parse(formBody: webhook.body)
    }

    /// An empty TwiML `<Response />`: the reply goes out later through the REST API.
    public func webhookAnswer(eventCount: Int) -> WebhookAnswer {
        WebhookAnswer(contentType: "text/xml", body: TwiML.messagingResponse())
    }

    /// `TwilioOutbound.render` from the account SID and `config.phone_number`.
    public func render(
        _ message: OutboundMessage, to recipient: String, account: AccountSettings, messageTag: String?
    ) throws(RenderError) -> [ProviderRequest] {
        guard let accountSID = account.credentials.accountSID else { throw .misconfigured(.sms, "the account SID is missing") }
        let from = try account.required(Self.phoneNumberKey, for: .sms)
        return try TwilioOutbound.render(
            message, to: recipient, account: TwilioAccount(accountSID: accountSID, authToken: account.credentials.accessToken, from: from))
    }

    /// The message SID.
    public func messageID(inSendResponse body: [UInt8], recipient: String) throws(ChannelParseError) -> String {
        try TwilioOutbound.parseSendResponse(body)
    }

    /// A GET of `MediaUrl{N}`, with basic auth only when it is on the configured Twilio API origin
    /// (Twilio's redirect to its storage then goes without credentials).
    public func mediaDownload(
        _ media: MediaReference, account: AccountSettings?, apiBaseURL: String
    ) throws(MediaDownloadError) -> MediaDownloadPlan {
        guard let account else { throw .accountRequired }
        guard let raw = media.url, !raw.isEmpty else { throw .missing("url") }
        guard let url = MediaURL.http(raw) else { throw .notHTTP }
        guard let accountSID = account.credentials.accountSID else { throw .misconfigured("the account SID is missing") }
        let onTwilio = MediaURL.http(apiBaseURL).map { MediaURL.sameOrigin($0, url) } ?? false
        let credentials = TwilioAccount(accountSID: accountSID, authToken: account.credentials.accessToken)
        return .get(MediaDownload(
            url: url.absoluteString, headers: onTwilio ? [TwilioMedia.authorization(credentials)] : [], declaredType: media.mimeType))
    }
}
