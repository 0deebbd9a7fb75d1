@testable import FieldlineChannels
import Testing

/// Checks for the Twilio vectors (signatures, body hashes, TwiML).
enum TwilioVectorChecks {
    /// The form fields of a vector; an array value becomes one field per value, as Twilio sends it.
    static func fields(_ vector: Vector) -> [FormField] {
        (vector.inputs["params"]?.members ?? [:]).flatMap { name, value -> [FormField] in
            if case .array(let values) = value { return values.compactMap(\.string).map { FormField(name, $0) } }
            return [FormField(name, value.string ?? "")]
        }
    }

    static func signature(_ vector: Vector) throws {
        let url = try #require(vector.inputs["url"]?.string)
        let token = try #require(vector.inputs["auth_token"]?.string)
        let header = try #require(vector.expected.string)
        let body: TwilioWebhookBody = vector.rawBody.map { .json($0) } ?? .form(fields(vector))

        guard vector.expectedValid == true else {
            #expect(throws: SignatureError.missingBodyHash) {
                try TwilioSignature.verify(url: url, body: body, header: header, authToken: token)
            }
            return
        }
        // Accepted as received.
        try TwilioSignature.verify(url: url, body: body, header: header, authToken: token)
        // Our signer reproduces the published signature over the exact URL the vector says is signed.
        let signedURL = try #require(vector.entry["signed_url"]?.string)
        #expect(TwilioSignature.sign(url: signedURL, parameters: vector.rawBody == nil ? fields(vector) : [], authToken: token) == header)
        // The signed URL itself, and its default-port twin, are accepted too.
        for variant in portVariants(of: signedURL) {
            #expect(throws: Never.self) { try TwilioSignature.verify(url: variant, body: body, header: header, authToken: token) }
        }
        // Tampering with the secret, the parameters or body, or the header is rejected.
        #expect(throws: SignatureError.mismatch) {
            try TwilioSignature.verify(url: url, body: body, header: header, authToken: token + "x")
        }
        #expect(throws: SignatureError.mismatch) {
            try TwilioSignature.verify(url: url + (url.contains("?") ? "&" : "?") + "x=1", body: body, header: header, authToken: token)
        }
        switch body {
        case .form(let fields):
            #expect(throws: SignatureError.mismatch) {
                try TwilioSignature.verify(url: url, body: .form(fields + [FormField("Injected", "1")]), header: header, authToken: token)
            }
        case .json(let raw):
            #expect(throws: SignatureError.bodyHashMismatch) {
                try TwilioSignature.verify(url: url, body: .json(raw + Array(" ".utf8)), header: header, authToken: token)
            }
        }
        let flipped = String(header.prefix(3)) + (header.dropFirst(3).first == "A" ? "B" : "A") + header.dropFirst(4)
        #expect(throws: SignatureError.mismatch) {
            try TwilioSignature.verify(url: url, body: body, header: flipped, authToken: token)
        }
    }

    /// `url` plus, when it has a default port, the URL without it, and when it has none, with it.
    static func portVariants(of url: String) -> [String] {
        if url.contains(":443/") { return [url, url.replacingOccurrences(of: ":443/", with: "/")] }
        if url.contains(":80/") { return [url, url.replacingOccurrences(of: ":80/", with: "/")] }
        if url.hasPrefix("https://"), let slash = url.dropFirst(8).firstIndex(of: "/"), !url[..<slash].dropFirst(8).contains(":") {
            return [url, String(url[..<slash]) + ":443" + url[slash...]]
        }
        return [url]
    }

    static func bodySHA256(_ vector: Vector) {
        #expect(TwilioSignature.bodySHA256(vector.rawBody ?? []) == vector.expected.string)
    }

    static func twiml(_ vector: Vector) throws {
        let builder = try #require(vector.inputs["builder"]?.string)
        let rendered = builder.contains("message(\"Hello\")")
            ? TwiML.messagingResponse([TwiML.Message(body: "Hello", mediaURLs: ["example.com"])])
            : TwiML.messagingResponse()
        #expect(rendered == vector.expected.string)
    }
}
