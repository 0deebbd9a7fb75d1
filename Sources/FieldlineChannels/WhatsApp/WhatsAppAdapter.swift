/// WhatsApp Business Cloud API behind `ProviderAdapter`: Meta-signed webhooks with the
/// `hub.challenge` handshake, sends from `config.phone_number_id`, approved templates outside
/// the 24-hour window, and media by id through a short-lived URL.
public struct WhatsAppAdapter: MetaPlatformAdapter {
    /// The config key of the sending phone-number id (required to send).
    public static let phoneNumberIDKey = "phone_number_id"
    /// The config key of the approved template sent when the window is closed, e.g. `reply_waiting`.
    public static let reengagementTemplateKey = "reengagement_template"
    /// The config key of that template's language, e.g. `es` or `en_US`.
    public static let reengagementTemplateLanguageKey = "reengagement_template_language"
    /// The config key of the approved template a dispatch offer goes out as when the window is
    /// closed: body `{{1}}`–`{{4}}` and two quick-reply buttons, e.g. `job_offer`.
    public static let offerTemplateKey = "offer_template"
    /// The config key of that template's language.
    public static let offerTemplateLanguageKey = "offer_template_language"

    /// Creates the adapter.
    public init() {}

    /// `.whatsapp`.
    public var provider: ChannelProvider { .whatsapp }
    /// `Capabilities.whatsapp`.
    public var capabilities: Capabilities { .whatsapp }
    /// `WHATSAPP_API_URL`.
    public var apiBaseURLVariable: String { "WHATSAPP_API_URL" }

    /// `WhatsAppInbound.parse`.
    public func parse(_ webhook: InboundWebhook) throws(ChannelParseError) -> [InboundEvent] {
        try WhatsAppInbound.parse(webhook.body)
    }

    /// `WhatsAppOutbound.render` from `config.phone_number_id`.
    public func render(
        _ message: OutboundMessage, to recipient: String, account: AccountSettings, messageTag: String?
    ) throws(RenderError) -> [ProviderRequest] {
        try WhatsAppOutbound.render(message, to: recipient, account: whatsAppAccount(account))
    }

    /// `WhatsAppOutbound.renderTemplate` from `config.phone_number_id`.
    public func renderTemplate(
        _ template: MessageTemplate, to recipient: String, account: AccountSettings
    ) throws(RenderError) -> ProviderRequest {
        WhatsAppOutbound.renderTemplate(template, to: recipient, account: try whatsAppAccount(account))
    }

    /// The template named by `config.reengagement_template` and `config.reengagement_template_language`.
    public func reengagementTemplate(_ account: AccountSettings) -> MessageTemplate? {
        guard let name = account.config[Self.reengagementTemplateKey],
              let language = account.config[Self.reengagementTemplateLanguageKey] else { return nil }
        return MessageTemplate(name: name, languageCode: language)
    }

    /// The template named by `config.offer_template` and `config.offer_template_language`.
    public func offerTemplate(_ account: AccountSettings) -> MessageTemplate? {
        guard let name = account.config[Self.offerTemplateKey],
              let language = account.config[Self.offerTemplateLanguageKey] else { return nil }
        return MessageTemplate(name: name, languageCode: language)
    }

    /// `messages[0].id` (a wamid).
    public func messageID(inSendResponse body: [UInt8], recipient: String) throws(ChannelParseError) -> String {
        try WhatsAppOutbound.parseSendResponse(body)
    }

    /// Look the media id up (bearer token) → download its URL with the same token, checking the
    /// announced size and SHA-256; the URL lives 5 minutes, so a 401/403/404 looks it up again.
    public func mediaDownload(
        _ media: MediaReference, account: AccountSettings?, apiBaseURL: String
    ) throws(MediaDownloadError) -> MediaDownloadPlan {
        guard let account else { throw .accountRequired }
        guard let mediaID = media.providerMediaID, !mediaID.isEmpty else { throw .missing("media id") }
        let lookUp = WhatsAppMedia.infoRequest(
            mediaID: mediaID, account: WhatsAppAccount(phoneNumberID: "", accessToken: account.credentials.accessToken))
        let bearer = lookUp.headers
        return .lookUp(MediaLookUp(url: apiBaseURL + lookUp.path, headers: bearer, lookUpAgainOn: [401, 403, 404]) { body throws(ChannelParseError) in
            let info = try WhatsAppMedia.parseInfo(body)
            return MediaDownload(
                url: info.url, headers: bearer, size: info.fileSize,
                sha256: media.sha256.flatMap(MediaReference.hexSHA256) ?? info.sha256.flatMap(MediaReference.hexSHA256),
                declaredType: media.mimeType ?? info.mimeType)
        })
    }

    private func whatsAppAccount(_ account: AccountSettings) throws(RenderError) -> WhatsAppAccount {
        WhatsAppAccount(
            phoneNumberID: try account.required(Self.phoneNumberIDKey, for: .whatsapp), accessToken: account.credentials.accessToken)
    }
}
