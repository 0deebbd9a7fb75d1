import Crypto

/// Meta's `X-Hub-Signature-256` check, shared by WhatsApp and Messenger
/// (https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads).
///
/// The header is `sha256=` + lowercase hex of HMAC-SHA256(App Secret, raw body). The HMAC must be
/// computed over the exact bytes received, never over re-serialized JSON.
public enum HubSignature {
    /// The header's name.
    public static let headerName = "X-Hub-Signature-256"

    /// Throws unless `header` is a valid signature of `rawBody` under `appSecret`.
    public static func verify(
        rawBody: [UInt8], header: String?, appSecret: String
    ) throws(SignatureError) {
        guard let header, !header.isEmpty else { throw .missingHeader(headerName) }
        let prefix = "sha256="
        guard header.lowercased().hasPrefix(prefix),
            let mac = Hex.decode(header.dropFirst(prefix.count)), mac.count == SHA256.byteCount
        else { throw .malformedHeader(headerName) }
        let key = SymmetricKey(data: Array(appSecret.utf8))
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: rawBody, using: key) else {
            throw .mismatch
        }
    }

    /// The header value for `rawBody` under `appSecret` (for fakes and tests of senders).
    public static func sign(rawBody: [UInt8], appSecret: String) -> String {
        let key = SymmetricKey(data: Array(appSecret.utf8))
        return "sha256=" + Hex.encode(HMAC<SHA256>.authenticationCode(for: rawBody, using: key))
    }
}
