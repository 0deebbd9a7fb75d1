import FieldlineChannels
import Foundation
import Testing

@Suite("Twilio SMS/MMS")
struct TwilioTests {
    let account = TwilioAccount(accountSID: "AC123", authToken: "12345", from: "+18005551212", statusCallbackURL: "https://fl.example/v1/hooks/sms/1/status")

    @Test("a form body is verified over every field received, as decoded")
    func signedFormBody() throws {
        let url = "https://fl.example/v1/hooks/sms/1"
        let body = Array("MessageSid=SM1&From=%2B14158675309&To=%2B18005551212&Body=It%27s+done&NumMedia=0".utf8)
        let fields = FormEncoding.decode(body)
        let header = TwilioSignature.sign(url: url, parameters: fields, authToken: "12345")
        try TwilioSignature.verify(url: url, body: .form(fields), header: header, authToken: "12345")
        #expect(throws: SignatureError.mismatch) {
            try TwilioSignature.verify(url: url, body: .form(Array(fields.dropLast())), header: header, authToken: "12345")
        }
        #expect(throws: SignatureError.malformedHeader(TwilioSignature.headerName)) {
            try TwilioSignature.verify(url: url, body: .form(fields), header: "not base64!", authToken: "12345")
        }
        #expect(TwilioInbound.parse(formBody: body) == [.message(InboundMessage(
            provider: .sms, providerMessageID: "SM1", sender: "+14158675309", content: .text("It's done")))])
    }

    @Test("an MMS with two media is two messages; the first carries the body as caption")
    func mms() {
        let fields = [FormField("MessageSid", "MM1"), FormField("From", "+14158675309"), FormField("Body", "Proof"),
                      FormField("NumMedia", "2"), FormField("MediaUrl0", "https://api.twilio.com/m0"), FormField("MediaContentType0", "image/jpeg"),
                      FormField("MediaUrl1", "https://api.twilio.com/m1"), FormField("MediaContentType1", "application/pdf")]
        let events = TwilioInbound.parse(fields: fields)
        let contents = events.compactMap { event -> (String, MessageContent)? in
            if case .message(let message) = event { return (message.providerMessageID, message.content) }
            return nil
        }
        #expect(contents.map(\.0) == ["MM1", "MM1#1"])
        #expect(contents.first?.1 == .image(MediaReference(url: "https://api.twilio.com/m0", mimeType: "image/jpeg"), caption: "Proof"))
        #expect(contents.last?.1 == .document(MediaReference(url: "https://api.twilio.com/m1", mimeType: "application/pdf"), filename: nil, caption: nil))
    }

    @Test("status callbacks map to delivery states; initial states are ignored")
    func statuses() {
        func status(_ value: String, error: String? = nil) -> [InboundEvent] {
            var fields = [FormField("MessageSid", "SM9"), FormField("MessageStatus", value), FormField("To", "+14158675309")]
            if let error { fields.append(FormField("ErrorCode", error)) }
            return TwilioInbound.parse(fields: fields)
        }
        #expect(status("delivered") == [.status(DeliveryStatusUpdate(provider: .sms, providerMessageID: "SM9", status: .delivered, recipient: "+14158675309"))])
        #expect(status("undelivered", error: "30003") == [.status(DeliveryStatusUpdate(
            provider: .sms, providerMessageID: "SM9", status: .failed, errorCode: "30003", recipient: "+14158675309"))])
        #expect(status("queued").isEmpty)
    }

    @Test("choices become numbered text, a location its map link, an image MediaUrl; basic auth on Messages.json")
    func render() throws {
        let message = OutboundMessage(
            text: "Job 42?", choices: [Choice(id: "accept", title: "Accept"), Choice(id: "decline", title: "Decline")],
            image: MediaReference(url: "https://fl.example/m/1.jpg"), location: OutboundLocation(latitude: 40.4, longitude: -3.7, name: "Store 112"))
        let requests = try TwilioOutbound.render(message, to: "+14158675309", account: account)
        try #require(requests.count == 1)
        #expect(requests[0].path == "/2010-04-01/Accounts/AC123/Messages.json")
        #expect(requests[0].header("Authorization") == "Basic " + Data("AC123:12345".utf8).base64EncodedString())
        #expect(FormEncoding.decode(requests[0].body) == [
            FormField("To", "+14158675309"), FormField("From", "+18005551212"),
            FormField("Body", "Job 42?\n\n1) Accept\n2) Decline\n\nStore 112\nhttps://maps.google.com/?q=40.4,-3.7"),
            FormField("MediaUrl", "https://fl.example/m/1.jpg"), FormField("StatusCallback", "https://fl.example/v1/hooks/sms/1/status"),
        ])
        #expect(NumberedChoices.match("2", in: message.choices)?.id == "decline")
    }

    @Test("an image known only by media id cannot go by MMS; long bodies are split")
    func limits() throws {
        #expect(throws: RenderError.imageNeedsURL(.sms)) {
            try TwilioOutbound.render(OutboundMessage(image: MediaReference(providerMediaID: "1")), to: "+1", account: account)
        }
        let long = String(repeating: "word ", count: 400)
        #expect(try TwilioOutbound.render(OutboundMessage(text: long), to: "+1", account: account).count == 2)
        #expect(try TwilioOutbound.parseSendResponse(Array(#"{"sid":"SM42","status":"queued"}"#.utf8)) == "SM42")
    }

    @Test("TwiML escapes text")
    func twimlEscapes() {
        #expect(TwiML.messagingResponse([TwiML.Message(body: "A & B <ok>")])
            == #"<?xml version="1.0" encoding="UTF-8"?><Response><Message>A &amp; B &lt;ok&gt;</Message></Response>"#)
    }
}

@Suite("Twilio signatures over non-ASCII URLs")
struct TwilioNonASCIIURLTests {
    /// Computed outside this code, per Twilio's algorithm (base64 HMAC-SHA1 keyed with the auth
    /// token, of the URL as configured followed by the sorted fields), with Python:
    /// `hmac.new(b"12345", (url + "BodyOlá" "From+14158675309" "MessageSidSM1").encode(), sha1)`
    /// where url = "https://fl.example/v1/hooks/sms/1?sede=Málaga&q=a%26b".
    static let signature = "KViComASgWZP+sI2voRcuafmqno="
    static let fields = [
        FormField("MessageSid", "SM1"), FormField("From", "+14158675309"),
        FormField("Body", "Olá"),
    ]

    @Test("a URL configured with non-ASCII characters arrives percent-encoded and still verifies")
    func percentEncodedArrival() throws {
        for received in ["https://fl.example/v1/hooks/sms/1?sede=M%C3%A1laga&q=a%26b",
                         "https://fl.example/v1/hooks/sms/1?sede=M%c3%a1laga&q=a%26b",
                         "https://fl.example:443/v1/hooks/sms/1?sede=M%C3%A1laga&q=a%26b"] {
            try TwilioSignature.verify(url: received, body: .form(Self.fields), header: Self.signature, authToken: "12345")
        }
        // Another URL, or another token, does not verify.
        #expect(throws: SignatureError.mismatch) {
            try TwilioSignature.verify(url: "https://fl.example/v1/hooks/sms/1?sede=M%C3%A1laga&q=a%27b",
                                       body: .form(Self.fields), header: Self.signature, authToken: "12345")
        }
        #expect(throws: SignatureError.mismatch) {
            try TwilioSignature.verify(url: "https://fl.example/v1/hooks/sms/1?sede=M%C3%A1laga&q=a%26b",
                                       body: .form(Self.fields), header: Self.signature, authToken: "54321")
        }
    }

    @Test("a fully decoded query is a candidate too; escapes that are not UTF-8 add none")
    func candidates() {
        let signed = "https://fl.example/h?q=a b&n=Ñ"
        let header = TwilioSignature.sign(url: signed, parameters: [], authToken: "t")
        #expect((try? TwilioSignature.verify(url: "https://fl.example/h?q=a%20b&n=%C3%91", body: .form([]), header: header, authToken: "t")) != nil)
        // A stray byte that is not UTF-8 (%FF) adds no decoded candidate; the URL as received still verifies.
        let raw = "https://fl.example/h?n=%FF"
        let rawHeader = TwilioSignature.sign(url: raw, parameters: [], authToken: "t")
        #expect((try? TwilioSignature.verify(url: raw, body: .form([]), header: rawHeader, authToken: "t")) != nil)
    }
}
