import FieldlineChannels
import Testing

/// WhatsApp through `ProviderAdapter`, with the published vectors where there are some.
@Suite("WhatsApp adapter")
struct WhatsAppAdapterTests {
    let adapter = ChannelProvider.whatsapp.adapter
    static let credentials = AccountCredentials(accessToken: "wa-token", signingSecret: "app-secret", verifyToken: "v")
    let account = AccountSettings(credentials: Self.credentials, config: ["phone_number_id": "106540352242922"])

    @Test("a published webhook, signed with the app secret, verifies and parses; tampered or unsigned it does not")
    func verifyAndParse() throws {
        let vectors = Vectors.of(.whatsappWebhook)
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let body = try #require(vector.rawBody)
            let signature = HubSignature.sign(rawBody: body, appSecret: "app-secret")
            let webhook = InboundWebhook(body: body, url: "https://x.test/hook", headers: ["x-hub-signature-256": signature])
            let events = try adapter.verifiedEvents(webhook, account: account)
            #expect(events == (try WhatsAppInbound.parse(body)))
            #expect(events.count == 1)
            var wrongSecret = account
            wrongSecret.credentials.signingSecret = "other"
            #expect(throws: SignatureError.mismatch) { try adapter.verify(webhook, account: wrongSecret) }
            #expect(throws: SignatureError.missingHeader(HubSignature.headerName)) {
                try adapter.verify(InboundWebhook(body: body, url: "https://x.test/hook", headers: [:]), account: account)
            }
        }
    }

    @Test("the published X-Hub-Signature-256 vectors verify through the adapter")
    func hubVectors() throws {
        for vector in Vectors.of(.hubSignature256) {
            let secret = try #require(vector.inputs["secret"]?.string)
            let header = try #require(vector.expected.string)
            let webhook = InboundWebhook(body: try #require(vector.rawBody), url: "", headers: ["X-Hub-Signature-256": header])
            try adapter.verify(webhook, account: AccountSettings(credentials: AccountCredentials(accessToken: "", signingSecret: secret)))
        }
    }

    @Test("sending needs config.phone_number_id; with it, messages and templates go to that number with the token")
    func render() throws {
        let message = OutboundMessage(text: "Hola")
        let bare = AccountSettings(credentials: Self.credentials)
        #expect(throws: RenderError.misconfigured(.whatsapp, "config.phone_number_id is not set")) {
            try adapter.render(message, to: "+34600111222", account: bare, messageTag: nil)
        }
        let template = MessageTemplate(name: "reply_waiting", languageCode: "es")
        #expect(throws: RenderError.misconfigured(.whatsapp, "config.phone_number_id is not set")) {
            try adapter.renderTemplate(template, to: "+34600111222", account: bare)
        }
        let requests = try adapter.render(message, to: "+34600111222", account: account, messageTag: nil)
        #expect(requests.map(\.path) == ["/v23.0/106540352242922/messages"])
        #expect(requests.first?.header("Authorization") == "Bearer wa-token")
        let sent = try adapter.renderTemplate(template, to: "+34600111222", account: account)
        #expect(sent == WhatsAppOutbound.renderTemplate(
            template, to: "+34600111222", account: WhatsAppAccount(phoneNumberID: "106540352242922", accessToken: "wa-token")))
    }

    @Test("the re-engagement template comes from config, both name and language or none")
    func reengagementTemplate() {
        var settings = account
        #expect(adapter.reengagementTemplate(settings) == nil)
        settings.config["reengagement_template"] = "reply_waiting"
        #expect(adapter.reengagementTemplate(settings) == nil)
        settings.config["reengagement_template_language"] = "es"
        #expect(adapter.reengagementTemplate(settings) == MessageTemplate(name: "reply_waiting", languageCode: "es"))
        #expect(!adapter.sendsHumanAgentTag(settings))
    }

    @Test("the published send response gives the wamid")
    func sendResponse() throws {
        let vector = try #require(Vectors.of(.whatsappSendResponse).first)
        let id = try adapter.messageID(inSendResponse: vector.expected.serialized, recipient: "+16505551234")
        #expect(id == vector.expected.at("messages.0.id")?.string)
        #expect(throws: ChannelParseError.self) { try adapter.messageID(inSendResponse: Array("{}".utf8), recipient: "+1") }
    }

    @Test("media: look the id up with the bearer token, then download with it, size and SHA-256 announced; 401/403/404 looks up again")
    func mediaPlan() throws {
        let declared = "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI="
        let media = MediaReference(providerMediaID: "1003383421387256", mimeType: "image/jpeg", sha256: declared)
        let lookUp = try #require(try adapter.mediaDownload(media, account: account, apiBaseURL: "http://fake:9000").lookUp)
        #expect(lookUp.url == "http://fake:9000/v23.0/1003383421387256")
        #expect(lookUp.headers == [ProviderRequest.Header("Authorization", "Bearer wa-token")])
        #expect(lookUp.lookUpAgainOn == [401, 403, 404])
        let answer = #"{"file_size":"303833","id":"1003383421387256","messaging_product":"whatsapp","mime_type":"image/png","sha256":"00","url":"https://lookaside.fbsbx.com/x?mid=1"}"#
        let download = try lookUp.read(Array(answer.utf8))
        #expect(download == MediaDownload(
            url: "https://lookaside.fbsbx.com/x?mid=1", headers: lookUp.headers, size: 303_833,
            sha256: MediaReference.hexSHA256(declared), declaredType: "image/jpeg"))
        // Without a hash or type in the webhook, the look-up's are used.
        let plain = try #require(try adapter.mediaDownload(MediaReference(providerMediaID: "1"), account: account, apiBaseURL: "").lookUp)
        let hex = String(repeating: "ab", count: 32)
        let announced = try plain.read(Array(#"{"id":"1","url":"https://cdn.test/1","mime_type":"image/png","sha256":"\#(hex)"}"#.utf8))
        #expect(announced.sha256 == hex)
        #expect(announced.declaredType == "image/png")
        #expect(throws: ChannelParseError.self) { try plain.read(Array(#"{"id":"1"}"#.utf8)) }
        #expect(throws: MediaDownloadError.missing("media id")) {
            try adapter.mediaDownload(MediaReference(url: "https://x.test/a"), account: account, apiBaseURL: "")
        }
        #expect(throws: MediaDownloadError.accountRequired) { try adapter.mediaDownload(media, account: nil, apiBaseURL: "") }
    }
}
