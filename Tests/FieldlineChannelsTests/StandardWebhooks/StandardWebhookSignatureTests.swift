import FieldlineChannels
import Testing

@Suite("Standard Webhooks signatures")
struct StandardWebhookSignatureTests {
    // The published test vector of the reference libraries (../shared/webhooks/standard-webhooks.md).
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp = 1614265330
    static let body = Array(#"{"test": 2432232314}"#.utf8)

    @Test("signs the published vector exactly")
    func vector() {
        #expect(StandardWebhookSignature.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body, secret: Self.secret)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("one entry per secret; any one verifies; a changed body, id or timestamp does not")
    func rotation() {
        let fresh = StandardWebhookSignature.makeSecret()
        #expect(fresh.hasPrefix("whsec_"))
        #expect(StandardWebhookSignature.key(of: fresh) != nil)
        let header = StandardWebhookSignature.header(id: Self.id, timestamp: Self.timestamp, body: Self.body, secrets: [fresh, Self.secret])
        #expect(header.split(separator: " ").count == 2)
        #expect(header.hasSuffix(" v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
        for secret in [fresh, Self.secret] {
            #expect(StandardWebhookSignature.verify(header: header, id: Self.id, timestamp: Self.timestamp, body: Self.body, secret: secret))
        }
        #expect(!StandardWebhookSignature.verify(header: header, id: Self.id, timestamp: Self.timestamp + 1, body: Self.body, secret: Self.secret))
        #expect(!StandardWebhookSignature.verify(header: header, id: "msg_other", timestamp: Self.timestamp, body: Self.body, secret: Self.secret))
        #expect(!StandardWebhookSignature.verify(header: header, id: Self.id, timestamp: Self.timestamp, body: Self.body + [32], secret: Self.secret))
        #expect(!StandardWebhookSignature.verify(header: header, id: Self.id, timestamp: Self.timestamp, body: Self.body, secret: "whsec_" + "QUJD"))
        #expect(StandardWebhookSignature.key(of: "not-a-secret") == nil)
    }
}
