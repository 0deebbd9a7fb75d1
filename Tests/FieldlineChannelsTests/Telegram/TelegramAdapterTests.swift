import FieldlineChannels
import Testing

/// Telegram through `ProviderAdapter`, with the Bot API's published test updates.
@Suite("Telegram adapter")
struct TelegramAdapterTests {
    let adapter = ChannelProvider.telegram.adapter
    let account = AccountSettings(credentials: AccountCredentials(accessToken: "123:abc", signingSecret: "tg_secret-1"))

    @Test("the published updates, with the secret token header, verify and parse; a wrong or missing token does not")
    func verifyAndParse() throws {
        let vectors = Vectors.of(.telegramUpdate)
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let body = try #require(vector.rawBody)
            let webhook = InboundWebhook(body: body, url: "https://x.test/hook", headers: ["X-Telegram-Bot-Api-Secret-Token": "tg_secret-1"])
            #expect(try adapter.verifiedEvents(webhook, account: account) == (try TelegramInbound.parse(body)))
            let forged = InboundWebhook(body: body, url: "https://x.test/hook", headers: ["X-Telegram-Bot-Api-Secret-Token": "tg_secret-2"])
            #expect(throws: SignatureError.mismatch) { try adapter.verify(forged, account: account) }
            #expect(throws: SignatureError.missingHeader(TelegramSecretToken.headerName)) {
                try adapter.verify(InboundWebhook(body: body, url: "https://x.test/hook", headers: [:]), account: account)
            }
        }
    }

    @Test("sending needs only the bot token, which is in the path")
    func render() throws {
        let requests = try adapter.render(OutboundMessage(text: "Hola"), to: "1111111", account: account, messageTag: "HUMAN_AGENT")
        #expect(requests.map(\.path) == ["/bot123:abc/sendMessage"])
        #expect(throws: RenderError.invalidRecipient(.telegram, "")) {
            try adapter.render(OutboundMessage(text: "Hola"), to: "", account: account, messageTag: nil)
        }
    }

    @Test("a send answer's message id is given per chat, as inbound ids are")
    func sendResponse() throws {
        let answer = #"{"ok":true,"result":{"message_id":42,"date":1700000000,"chat":{"id":1111111,"type":"private"},"text":"Hola"}}"#
        #expect(try adapter.messageID(inSendResponse: Array(answer.utf8), recipient: "1111111") == "1111111:42")
        #expect(throws: ChannelParseError.unexpectedPayload(provider: .telegram, detail: "a send response needs result.message_id")) {
            try adapter.messageID(inSendResponse: Array(#"{"ok":false,"description":"Forbidden"}"#.utf8), recipient: "1111111")
        }
    }

    @Test("media: getFile with the bot token, then the file path on the same host, its size checked first")
    func mediaPlan() throws {
        let media = MediaReference(providerMediaID: "AgAC+x/y=", mimeType: "audio/ogg")
        let lookUp = try #require(try adapter.mediaDownload(media, account: account, apiBaseURL: "http://fake:9000").lookUp)
        #expect(lookUp.url == "http://fake:9000/bot123:abc/getFile?file_id=AgAC%2Bx%2Fy%3D")
        #expect(lookUp.headers.isEmpty)
        #expect(lookUp.lookUpAgainOn.isEmpty)
        let answer = #"{"ok":true,"result":{"file_id":"AgAC","file_unique_id":"AQAD","file_size":48213,"file_path":"voice/file 0.oga"}}"#
        #expect(try lookUp.read(Array(answer.utf8)) == MediaDownload(
            url: "http://fake:9000/file/bot123:abc/voice/file%200.oga", size: 48213, declaredType: "audio/ogg"))
        #expect(throws: ChannelParseError.self) { try lookUp.read(Array(#"{"ok":true,"result":{"file_path":"../x"}}"#.utf8)) }
        #expect(throws: MediaDownloadError.missing("file_id")) {
            try adapter.mediaDownload(MediaReference(), account: account, apiBaseURL: "")
        }
        #expect(throws: MediaDownloadError.accountRequired) { try adapter.mediaDownload(media, account: nil, apiBaseURL: "") }
    }
}
