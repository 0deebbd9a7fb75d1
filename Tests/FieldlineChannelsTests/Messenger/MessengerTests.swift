import FieldlineChannels
import Foundation
import Testing

@Suite("Messenger")
struct MessengerTests {
    let page = MessengerPage(pageID: "682498302938465", pageAccessToken: "PAGE TOKEN")

    /// The attachments example of Meta's messages webhook reference, with real values, plus an echo
    /// and a delivery receipt (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages).
    static let webhook = #"""
    {"object":"page","entry":[{"id":"682498302938465","time":1518479195594,"messaging":[
      {"sender":{"id":"PSID1"},"recipient":{"id":"682498302938465"},"timestamp":1518479195308,
       "message":{"mid":"mid.$cAAJ","attachments":[{"type":"image","payload":{"url":"https://cdn/1.jpg"}},{"type":"file","payload":{"url":"https://cdn/2.pdf"}}]}},
      {"sender":{"id":"682498302938465"},"recipient":{"id":"PSID1"},"timestamp":1518479195400,"message":{"mid":"mid.echo","is_echo":true,"text":"ours"}},
      {"sender":{"id":"PSID1"},"recipient":{"id":"682498302938465"},"timestamp":1518479196000,"delivery":{"mids":["mid.A","mid.B"],"watermark":1518479195999}}
    ]}]}
    """#

    @Test("attachments become one message each, echoes are skipped, deliveries name each message")
    func parse() throws {
        let events = try MessengerInbound.parse(Array(Self.webhook.utf8))
        #expect(events.count == 4)
        guard events.count == 4, case .message(let image) = events[0], case .message(let file) = events[1],
            case .status(let first) = events[2], case .status(let second) = events[3]
        else { Issue.record("unexpected \(events)"); return }
        #expect(image.content == .image(MediaReference(url: "https://cdn/1.jpg"), caption: nil))
        #expect(image.providerMessageID == "mid.$cAAJ")
        #expect(file.providerMessageID == "mid.$cAAJ#1")
        #expect(file.content == .document(MediaReference(url: "https://cdn/2.pdf"), filename: nil, caption: nil))
        #expect([first.providerMessageID, second.providerMessageID] == ["mid.A", "mid.B"])
        #expect(first.status == .delivered)
        #expect(first.at == Date(timeIntervalSince1970: 1_518_479_195.999))
    }

    @Test("a WhatsApp body posted to a Messenger hook is refused")
    func wrongObject() {
        #expect(throws: ChannelParseError.unexpectedPayload(provider: .messenger, detail: "object is 'whatsapp_business_account'")) {
            try MessengerInbound.parse(Array(#"{"object":"whatsapp_business_account"}"#.utf8))
        }
    }

    @Test("choices are quick replies; an image goes first; a location becomes a map link; the token is escaped")
    func render() throws {
        let message = OutboundMessage(
            text: "Job 42?", choices: [Choice(id: "accept", title: "Accept")], image: MediaReference(url: "https://x/1.jpg"),
            location: OutboundLocation(latitude: 1.5, longitude: 2.5))
        let requests = try MessengerOutbound.render(message, to: "PSID1", page: page)
        #expect(requests.first?.path == "/v25.0/682498302938465/messages?access_token=PAGE%20TOKEN")
        let bodies = try requests.map { try JSONValue.parse($0.body, provider: .messenger) }
        #expect(bodies.count == 2)
        #expect(bodies.first?.at("message.attachment") == ["type": "image", "payload": ["url": "https://x/1.jpg", "is_reusable": true]])
        #expect(bodies.last?["message"] == [
            "text": "Job 42?\n\nhttps://maps.google.com/?q=1.5,2.5",
            "quick_replies": [["content_type": "text", "title": "Accept", "payload": "accept"]],
        ])
    }

    @Test("outside the window a message tag is stated")
    func messageTag() throws {
        let request = try #require(try MessengerOutbound.render(OutboundMessage(text: "Update"), to: "PSID1", page: page, messagingType: .messageTag("HUMAN_AGENT")).first)
        let body = try JSONValue.parse(request.body, provider: .messenger)
        #expect(body["messaging_type"] == "MESSAGE_TAG")
        #expect(body["tag"] == "HUMAN_AGENT")
    }
}
