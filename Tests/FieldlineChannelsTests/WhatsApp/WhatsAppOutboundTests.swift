import FieldlineChannels
import Testing

@Suite("WhatsApp outbound")
struct WhatsAppOutboundTests {
    let account = WhatsAppAccount(phoneNumberID: "106540352242922", accessToken: "TOKEN")

    func bodies(_ message: OutboundMessage) throws -> [JSONValue] {
        try WhatsAppOutbound.render(message, to: "+16505551234", account: account).map {
            try JSONValue.parse($0.body, provider: .whatsapp)
        }
    }

    @Test("two choices become reply buttons in the published shape")
    func buttons() throws {
        let message = OutboundMessage(text: "Job 42?", choices: [Choice(id: "accept", title: "Accept"), Choice(id: "decline", title: "Decline")])
        let body = try #require(try bodies(message).first)
        let expected: JSONValue = [
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+16505551234", "type": "interactive",
            "interactive": ["type": "button", "body": ["text": "Job 42?"], "action": ["buttons": [
                ["type": "reply", "reply": ["id": "accept", "title": "Accept"]],
                ["type": "reply", "reply": ["id": "decline", "title": "Decline"]],
            ]]],
        ]
        #expect(body == expected)
    }

    @Test("eleven choices fall back to one numbered text message")
    func numbered() throws {
        let choices = (1...11).map { Choice(id: "c\($0)", title: "Slot \($0)") }
        let all = try bodies(OutboundMessage(text: "Pick a slot", choices: choices))
        #expect(all.count == 1)
        #expect(all.first?.at("text.body")?.string?.hasSuffix("10) Slot 10\n11) Slot 11") == true)
    }

    @Test("an image carries the text as caption; with buttons it becomes their header")
    func imageForms() throws {
        let image = MediaReference(providerMediaID: "1003383421387256")
        let captioned = try bodies(OutboundMessage(text: "Proof received", image: image))
        #expect(captioned == [[
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+16505551234", "type": "image",
            "image": ["id": "1003383421387256", "caption": "Proof received"],
        ]])
        let headed = try bodies(OutboundMessage(text: "Is this right?", choices: [Choice(id: "y", title: "Yes")], image: image))
        #expect(headed.count == 1)
        #expect(headed.first?.at("interactive.header") == ["type": "image", "image": ["id": "1003383421387256"]])
    }

    @Test("a location is a native message sent before the text, and the reply context goes on the first")
    func locationThenText() throws {
        let message = OutboundMessage(
            text: "Meet here", location: OutboundLocation(latitude: 37.44, longitude: -122.16, name: "Philz Coffee", address: "101 Forest Ave"),
            replyToProviderMessageID: "wamid.THEIRS")
        let all = try bodies(message)
        #expect(all.map { $0["type"] } == ["location", "text"])
        #expect(all.first?["location"] == ["latitude": 37.44, "longitude": -122.16, "name": "Philz Coffee", "address": "101 Forest Ave"])
        #expect(all.first?.at("context.message_id") == "wamid.THEIRS")
        #expect(all.last?["context"] == nil)
    }

    @Test("requests go to the phone number's messages path with the bearer token")
    func envelope() throws {
        let request = try #require(try WhatsAppOutbound.render(OutboundMessage(text: "hi"), to: "+1", account: account).first)
        #expect(request.method == "POST")
        #expect(request.path == "/v23.0/106540352242922/messages")
        #expect(request.header("authorization") == "Bearer TOKEN")
        #expect(request.header("Content-Type") == "application/json")
    }

    @Test("a template with body parameters")
    func templateParameters() throws {
        let request = WhatsAppOutbound.renderTemplate(
            MessageTemplate(name: "job_offer", languageCode: "es", bodyParameters: ["42", "Calle Mayor 1"]), to: "+34600123456", account: account)
        let body = try JSONValue.parse(request.body, provider: .whatsapp)
        #expect(body.at("template.components.0.type") == "body")
        #expect(body.at("template.components.0.parameters.1") == ["type": "text", "text": "Calle Mayor 1"])
    }

    @Test("a template with quick-reply buttons: each button's payload by index; parameters lose new lines and are never empty")
    func templateQuickReplies() throws {
        let request = WhatsAppOutbound.renderTemplate(
            MessageTemplate(
                name: "job_offer", languageCode: "es", bodyParameters: ["PO-1", "Tow\na  van", "", "-"],
                quickReplyPayloads: ["offer:1:accept", "offer:1:decline"]),
            to: "+34600123456", account: account)
        let body = try JSONValue.parse(request.body, provider: .whatsapp)
        #expect(body.at("template.components.0.parameters.1") == ["type": "text", "text": "Tow a van"])
        #expect(body.at("template.components.0.parameters.2") == ["type": "text", "text": "-"])
        #expect(body.at("template.components.1") == [
            "type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [["type": "payload", "payload": "offer:1:accept"]],
        ])
        #expect(body.at("template.components.2.index") == "1")
        #expect(body.at("template.components.2.parameters.0.payload") == "offer:1:decline")
    }

    @Test("nothing to send, or an image without a source, is a render error")
    func errors() {
        #expect(throws: RenderError.emptyMessage) { try WhatsAppOutbound.render(OutboundMessage(), to: "+1", account: account) }
        #expect(throws: RenderError.imageWithoutSource) {
            try WhatsAppOutbound.render(OutboundMessage(image: MediaReference()), to: "+1", account: account)
        }
    }
}
