import FieldlineChannels
import Testing

/// Messenger through `ProviderAdapter`.
@Suite("Messenger adapter")
struct MessengerAdapterTests {
    let adapter = ChannelProvider.messenger.adapter
    let account = AccountSettings(
        credentials: AccountCredentials(accessToken: "page-token", signingSecret: "messenger-app-secret", verifyToken: "v"),
        config: ["page_id": "682498302938465"])

    @Test("a signed Page webhook verifies and parses; signed with another secret it does not")
    func verifyAndParse() throws {
        let body = Array(MessengerTests.webhook.utf8)
        let signature = HubSignature.sign(rawBody: body, appSecret: "messenger-app-secret")
        let webhook = InboundWebhook(body: body, url: "https://x.test/hook", headers: ["X-Hub-Signature-256": signature])
        let events = try adapter.verifiedEvents(webhook, account: account)
        #expect(events == (try MessengerInbound.parse(body)))
        #expect(!events.isEmpty)
        let forged = InboundWebhook(body: body, url: "", headers: ["X-Hub-Signature-256": HubSignature.sign(rawBody: body, appSecret: "x")])
        #expect(throws: SignatureError.mismatch) { try adapter.verify(forged, account: account) }
    }

    @Test("sending needs config.page_id; a message tag sends as MESSAGE_TAG")
    func render() throws {
        let message = OutboundMessage(text: "Hola")
        #expect(throws: RenderError.misconfigured(.messenger, "config.page_id is not set")) {
            try adapter.render(message, to: "PSID1", account: AccountSettings(credentials: account.credentials), messageTag: nil)
        }
        let plain = try #require(try adapter.render(message, to: "PSID1", account: account, messageTag: nil).first)
        #expect(plain.path == "/v25.0/682498302938465/messages?access_token=page-token")
        #expect(try JSONValue.parsing(plain.body)["messaging_type"] == "RESPONSE")
        let tagged = try #require(try adapter.render(message, to: "PSID1", account: account, messageTag: "HUMAN_AGENT").first)
        let body = try JSONValue.parsing(tagged.body)
        #expect(body["messaging_type"] == "MESSAGE_TAG")
        #expect(body["tag"] == "HUMAN_AGENT")
    }

    @Test("the HUMAN_AGENT tag is used only when config.human_agent_tag is true")
    func humanAgentTag() {
        var settings = account
        #expect(!adapter.sendsHumanAgentTag(settings))
        settings.config["human_agent_tag"] = "false"
        #expect(!adapter.sendsHumanAgentTag(settings))
        settings.config["human_agent_tag"] = "true"
        #expect(adapter.sendsHumanAgentTag(settings))
        #expect(adapter.reengagementTemplate(settings) == nil)
    }

    @Test("the published send answer gives the message id")
    func sendResponse() throws {
        let vector = try #require(Vectors.of(.messengerSendRequest).first)
        let id = try adapter.messageID(inSendResponse: vector.expected.serialized, recipient: "PSID1")
        #expect(id == vector.expected["message_id"]?.string)
    }

    @Test("media: a plain GET of the attachment URL, without the account")
    func mediaPlan() throws {
        #expect(!adapter.mediaNeedsAccount)
        let media = MediaReference(url: "https://scontent.xx.fbcdn.net/v/photo.jpg?oh=1")
        let download = try #require(try adapter.mediaDownload(media, account: nil, apiBaseURL: "https://graph.facebook.com").download)
        #expect(download == MediaDownload(url: "https://scontent.xx.fbcdn.net/v/photo.jpg?oh=1"))
        #expect(throws: MediaDownloadError.missing("url")) { try adapter.mediaDownload(MediaReference(), account: nil, apiBaseURL: "") }
    }
}
