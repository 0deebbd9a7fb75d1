import FieldlineChannels
import Testing

/// The handshake's query string is read as a form: `+` is a space, escapes are decoded.
@Suite struct HubChallengeQueryTests {
    @Test("a raw query decodes + as a space and %XX escapes; the first of a repeated name wins")
    func formDecoding() {
        let query = HubChallenge.query(raw: "hub.mode=subscribe&hub.verify_token=my+secret%2Btoken&hub.challenge=42&hub.challenge=43")
        #expect(query == ["hub.mode": "subscribe", "hub.verify_token": "my secret+token", "hub.challenge": "42"])
        #expect(HubChallenge.decide(query: query, verifyToken: "my secret+token") == .accept(challenge: "42"))
        #expect(HubChallenge.query(raw: "") == [:])
    }
}
