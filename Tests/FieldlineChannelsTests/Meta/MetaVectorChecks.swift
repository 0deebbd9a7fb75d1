import FieldlineChannels
import Testing

/// Checks for the X-Hub-Signature-256 and hub.challenge vectors.
enum MetaVectorChecks {
    static func hubSignature(_ vector: Vector) throws {
        let secret = try #require(vector.inputs["secret"]?.string)
        let body = try #require(vector.rawBody)
        let header = try #require(vector.expected.string)
        try HubSignature.verify(rawBody: body, header: header, appSecret: secret)
        #expect(HubSignature.sign(rawBody: body, appSecret: secret) == header)
        #expect(throws: SignatureError.mismatch) {
            try HubSignature.verify(rawBody: body + [0x20], header: header, appSecret: secret)
        }
        #expect(throws: SignatureError.mismatch) {
            try HubSignature.verify(rawBody: body, header: header, appSecret: secret + "x")
        }
        #expect(throws: SignatureError.malformedHeader(HubSignature.headerName)) {
            try HubSignature.verify(rawBody: body, header: String(header.dropFirst("sha256=".count)), appSecret: secret)
        }
        #expect(throws: SignatureError.missingHeader(HubSignature.headerName)) {
            try HubSignature.verify(rawBody: body, header: nil, appSecret: secret)
        }
    }

    static func handshake(_ vector: Vector) throws {
        let query = (vector.inputs["query"]?.members ?? [:]).compactMapValues(\.string)
        let token = try #require(vector.inputs["configured_verify_token"]?.string)
        #expect(vector.expected["status"]?.int64 == 200)
        let body = try #require(vector.expected["body"]?.string)
        #expect(HubChallenge.decide(query: query, verifyToken: token) == .accept(challenge: body))
        guard case .reject = HubChallenge.decide(query: query, verifyToken: token + "x") else {
            Issue.record("a wrong verify token was accepted")
            return
        }
        var unsubscribed = query
        unsubscribed["hub.mode"] = "unsubscribe"
        guard case .reject = HubChallenge.decide(query: unsubscribed, verifyToken: token) else {
            Issue.record("a mode other than subscribe was accepted")
            return
        }
    }
}
