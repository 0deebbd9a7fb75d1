import Crypto
import Foundation

/// What a Twilio webhook carried: decoded form fields (the usual case) or a raw JSON body.
public enum TwilioWebhookBody: Sendable, Equatable {
    /// An `application/x-www-form-urlencoded` POST, decoded (repeated names kept).
    case form([FormField])
    /// An `application/json` POST: the exact bytes received.
    case json([UInt8])
}

/// Twilio's `X-Twilio-Signature` check (https://www.twilio.com/docs/usage/webhooks/webhooks-security
/// and the official helper libraries' `RequestValidator`s): base64 HMAC-SHA1, keyed with the auth
/// token, of the full URL followed by the sorted form parameters (or, for JSON bodies, of the URL
/// carrying `bodySHA256`). The URL is tried as received, without its port and with the default port,
/// each also in the WHATWG-serialized query form, as the official helper libraries accept.
public enum TwilioSignature {
    /// The header's name.
    public static let headerName = "X-Twilio-Signature"

    /// Throws unless `header` signs this request. `url` is the full URL Twilio requested.
    public static func verify(
        url: String, body: TwilioWebhookBody, header: String?, authToken: String
    ) throws(SignatureError) {
        guard let header, !header.isEmpty else { throw .missingHeader(headerName) }
        guard let mac = Data(base64Encoded: header), mac.count == Insecure.SHA1.byteCount else {
            throw .malformedHeader(headerName)
        }
        let key = SymmetricKey(data: Array(authToken.utf8))
        let bodyHash = TwilioURL.queryValue(named: "bodySHA256", in: url)
        let suffix: [UInt8]
        switch body {
        case .form(let fields):
            suffix = parameterString(fields)
        case .json:
            guard bodyHash != nil else { throw .missingBodyHash }
            suffix = []
        }
        let signed = TwilioURL.candidates(for: url).contains { candidate in
            HMAC<Insecure.SHA1>.isValidAuthenticationCode(mac, authenticating: Array(candidate.utf8) + suffix, using: key)
        }
        guard signed else { throw .mismatch }
        if case .json(let raw) = body, let bodyHash {
            guard ConstantTime.equals(Array(bodySHA256(raw).utf8), Array(bodyHash.lowercased().utf8)) else {
                throw .bodyHashMismatch
            }
        }
    }

    /// The signature of a form request to exactly `url` (for fakes and tests).
    public static func sign(url: String, parameters: [FormField], authToken: String) -> String {
        let key = SymmetricKey(data: Array(authToken.utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(url.utf8) + parameterString(parameters), using: key)
        return Data(mac).base64EncodedString()
    }

    /// The lowercase hex SHA-256 of a JSON body, as Twilio puts it in `bodySHA256`.
    public static func bodySHA256(_ raw: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: raw))
    }

    /// Names sorted by byte order (`CALLSID` < `CallSid` < `callSid`), each followed by its value;
    /// a repeated name contributes each distinct value, sorted; an empty value still adds its name.
    static func parameterString(_ fields: [FormField]) -> [UInt8] {
        var valuesByName: [String: Set<String>] = [:]
        for field in fields { valuesByName[field.name, default: []].insert(field.value) }
        let byBytes: (String, String) -> Bool = { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var out: [UInt8] = []
        for name in valuesByName.keys.sorted(by: byBytes) {
            for value in (valuesByName[name] ?? []).sorted(by: byBytes) {
                out += Array(name.utf8) + Array(value.utf8)
            }
        }
        return out
    }
}
