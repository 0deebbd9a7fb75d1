import FieldlineChannels
import Foundation
import Testing

/// The sandbox phone behind `ProviderAdapter`: its secret, its webhook body and what it renders.
@Suite("Sandbox adapter")
struct SandboxAdapterTests {
    let adapter = ChannelProvider.sandbox.adapter
    let account = AccountSettings(credentials: AccountCredentials(accessToken: "s3cret-s3cret-s3cret", signingSecret: "s3cret-s3cret-s3cret"))

    func webhook(_ body: String, secret: String? = "s3cret-s3cret-s3cret") -> InboundWebhook {
        var headers = ["Content-Type": "application/json"]
        if let secret { headers[SandboxAdapter.secretHeader] = secret }
        return InboundWebhook(body: Array(body.utf8), url: "http://localhost/v1/hooks/sandbox/a", headers: headers)
    }

    @Test("the secret header must equal the adapter's secret")
    func verify() throws {
        try adapter.verify(webhook("{}"), account: account)
        #expect(throws: SignatureError.mismatch) { try adapter.verify(webhook("{}", secret: "s3cret-s3cret-s3creT"), account: account) }
        #expect(throws: SignatureError.missingHeader(SandboxAdapter.secretHeader)) { try adapter.verify(webhook("{}", secret: nil), account: account) }
        #expect(adapter.deliversInProcess)
        #expect(!TwilioAdapter().deliversInProcess)
        #expect(SandboxInbound.isWellFormedSecret("0123456789abcdef"))
        #expect(!SandboxInbound.isWellFormedSecret("short"))
        #expect(!SandboxInbound.isWellFormedSecret("has a space in it!!"))
    }

    @Test("messages of each kind and statuses parse into the one event shape")
    func parse() throws {
        let sha = String(repeating: "ab", count: 32)
        let body = """
            {"messages": [
              {"id": "p1", "from": "m-1", "name": "Ana", "text": "hola"},
              {"id": "p2", "from": "m-1", "reply_to": "out-1", "choice": {"id": "job1:accept", "title": "Sí"}},
              {"id": "p3", "from": "m-1", "location": {"latitude": 40.4, "longitude": -3.7, "name": "Obra"}},
              {"id": "p4", "from": "m-1", "image": {"media_id": "\(sha)", "mime_type": "image/png", "caption": "Hecho"}}],
             "statuses": [{"id": "out-1", "status": "read"}]}
            """
        let events = try adapter.parse(webhook(body))
        #expect(events.count == 5)
        guard case .message(let text) = events[0], case .message(let choice) = events[1], case .message(let location) = events[2],
              case .message(let image) = events[3], case .status(let status) = events[4]
        else { Issue.record("unexpected events \(events)"); return }
        #expect(text.content == .text("hola"))
        #expect(text.senderName == "Ana")
        #expect(text.provider == .sandbox)
        #expect(choice.content == .choice(id: "job1:accept", title: "Sí"))
        #expect(choice.replyToProviderMessageID == "out-1")
        #expect(location.content == .location(latitude: 40.4, longitude: -3.7, name: "Obra", address: nil))
        #expect(image.content == .image(MediaReference(providerMediaID: sha, mimeType: "image/png", sha256: sha), caption: "Hecho"))
        #expect(status.providerMessageID == "out-1")
        #expect(status.status == .read)
        let plan = try adapter.mediaDownload(MediaReference(providerMediaID: sha, mimeType: "image/png"), account: nil, apiBaseURL: "")
        guard case .stored(let stored, let declared) = plan else { Issue.record("not a stored plan: \(plan)"); return }
        #expect(stored == sha)
        #expect(declared == "image/png")
    }

    @Test("a body that is not the phone's is refused, saying why", arguments: [
        ("[]", "not a JSON object"),
        (#"{"messages": []}"#, "no messages and no statuses"),
        (#"{"messages": [{"from": "m", "text": "a"}]}"#, "needs an id"),
        (#"{"messages": [{"id": "1", "from": "m", "text": "a", "location": {"latitude": 1, "longitude": 2}}]}"#, "exactly one of"),
        (#"{"messages": [{"id": "1", "from": "m", "location": {"latitude": 91, "longitude": 2}}]}"#, "latitude (-90..90)"),
        (#"{"messages": [{"id": "1", "from": "m", "image": {"media_id": "../etc/passwd"}}]}"#, "media_id"),
        (#"{"statuses": [{"id": "1", "status": "failed"}]}"#, "sent, delivered or read"),
    ])
    func refused(body: String, reason: String) {
        do {
            _ = try adapter.parse(webhook(body))
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test("replies render as WhatsApp shows them: buttons, a list, else numbered text; images and pins as they are")
    func render() throws {
        func body(_ message: OutboundMessage) throws -> [String: Any] {
            let requests = try adapter.render(message, to: "m-1", account: account, messageTag: nil)
            #expect(requests.count == 1)
            #expect(requests[0].path == "/messages")
            return try #require(try JSONSerialization.jsonObject(with: Data(requests[0].body)) as? [String: Any])
        }
        let two = [Choice(id: "a", title: "Sí"), Choice(id: "b", title: "No")]
        let buttons = try body(OutboundMessage(text: "¿Vas?", choices: two))
        #expect(buttons["to"] as? String == "m-1")
        #expect(buttons["choice_style"] as? String == "buttons")
        #expect((buttons["choices"] as? [[String: String]])?.map { $0["id"] } == ["a", "b"])
        let five = (1...5).map { Choice(id: "c\($0)", title: "Opción \($0)") }
        #expect(try body(OutboundMessage(text: "¿Cuál?", choices: five))["choice_style"] as? String == "list")
        let long = [Choice(id: "a", title: String(repeating: "x", count: 30)), Choice(id: "b", title: "No")]
        let numbered = try body(OutboundMessage(text: "¿Cuál?", choices: long))
        #expect(numbered["choice_style"] as? String == "numbered")
        #expect(numbered["choices"] == nil)
        #expect(numbered["text"] as? String == "¿Cuál?\n\n1) \(String(repeating: "x", count: 30))\n2) No")
        let media = try body(OutboundMessage(
            text: "Aquí", image: MediaReference(url: "https://example.com/a.jpg"),
            location: OutboundLocation(latitude: 40.4, longitude: -3.7, name: "Taller")))
        #expect((media["image"] as? [String: String])?["url"] == "https://example.com/a.jpg")
        #expect((media["location"] as? [String: Any])?["name"] as? String == "Taller")
        #expect(throws: RenderError.emptyMessage) { try adapter.render(OutboundMessage(), to: "m-1", account: account, messageTag: nil) }
        #expect(try adapter.messageID(inSendResponse: Array(#"{"id":"0193"}"#.utf8), recipient: "m-1") == "0193")
    }
}
