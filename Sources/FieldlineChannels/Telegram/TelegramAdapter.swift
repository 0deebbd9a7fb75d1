/// The Telegram Bot API behind `ProviderAdapter`: the secret-token header on webhooks, sends
/// with the bot token, message ids as `"<chat id>:<message id>"`, files through `getFile`.
public struct TelegramAdapter: ProviderAdapter {
    /// Creates the adapter.
    public init() {}

    /// `.telegram`.
    public var provider: ChannelProvider { .telegram }
    /// `Capabilities.telegram`.
    public var capabilities: Capabilities { .telegram }
    /// `secret_token` (what `setWebhook` was given; checked first, as it has a format) and `bot_token`.
    public var credentialFields: [CredentialField] {
        [
            CredentialField(
                "secret_token", becomes: [.signingSecret],
                format: ("secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -", TelegramSecretToken.isWellFormed)),
            CredentialField("bot_token", becomes: [.accessToken]),
        ]
    }
    /// The Bot API host.
    public var defaultAPIBaseURL: String { "https://api.telegram.org" }
    /// `TELEGRAM_API_URL`.
    public var apiBaseURLVariable: String { "TELEGRAM_API_URL" }

    /// `X-Telegram-Bot-Api-Secret-Token` equals the secret token.
    public func verify(_ webhook: InboundWebhook, account: AccountSettings) throws(SignatureError) {
        try TelegramSecretToken.verify(
            header: webhook.header(TelegramSecretToken.headerName), secret: account.credentials.signingSecret)
    }

    /// `TelegramInbound.parse`.
    public func parse(_ webhook: InboundWebhook) throws(ChannelParseError) -> [InboundEvent] {
        try TelegramInbound.parse(webhook.body)
    }

    /// `TelegramOutbound.render` with the bot token.
    public func render(
        _ message: OutboundMessage, to recipient: String, account: AccountSettings, messageTag: String?
    ) throws(RenderError) -> [ProviderRequest] {
        try TelegramOutbound.render(message, to: recipient, bot: TelegramBot(token: account.credentials.accessToken))
    }

    /// `result.message_id`, as `"<chat id>:<message id>"`.
    public func messageID(inSendResponse body: [UInt8], recipient: String) throws(ChannelParseError) -> String {
        try TelegramOutbound.parseSendResponse(body, chatID: recipient)
    }

    /// `getFile` with the bot token (in the path) → `/file/bot<token>/<file_path>`, its size checked first.
    public func mediaDownload(
        _ media: MediaReference, account: AccountSettings?, apiBaseURL: String
    ) throws(MediaDownloadError) -> MediaDownloadPlan {
        guard let account else { throw .accountRequired }
        guard let fileID = media.providerMediaID, !fileID.isEmpty else { throw .missing("file_id") }
        let bot = TelegramBot(token: account.credentials.accessToken)
        let lookUp = TelegramFile.infoRequest(fileID: fileID, bot: bot)
        return .lookUp(MediaLookUp(url: apiBaseURL + lookUp.path, headers: lookUp.headers) { body throws(ChannelParseError) in
            let info = try TelegramFile.parseInfo(body)
            return MediaDownload(
                url: apiBaseURL + TelegramFile.downloadPath(info, bot: bot), size: info.fileSize, declaredType: media.mimeType)
        })
    }
}
