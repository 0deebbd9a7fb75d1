import Crypto
import Foundation

/// The Standard Webhooks signing scheme (v1, HMAC-SHA256) that Fieldline's outgoing webhooks
/// use, so receivers verify them with the published libraries (`standardwebhooks` and others).
/// See `../shared/webhooks/standard-webhooks.md` and docs/events.md#webhooks.
public enum StandardWebhookSignature {
    /// The prefix of every secret.
    public static let secretPrefix = "whsec_"

    /// A new secret: `whsec_` and base64 of 32 random bytes.
    public static func makeSecret() -> String {
        let key = SymmetricKey(size: .bits256)
        return secretPrefix + key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The HMAC key of a secret (`whsec_` + base64); nil when it is not one.
    public static func key(of secret: String) -> SymmetricKey? {
        guard secret.hasPrefix(secretPrefix), let bytes = Data(base64Encoded: String(secret.dropFirst(secretPrefix.count))),
              !bytes.isEmpty else { return nil }
        return SymmetricKey(data: bytes)
    }

    /// One `v1,<base64>` entry: HMAC-SHA256 of `id.timestamp.body` under `secret`'s key.
    public static func sign(id: String, timestamp: Int, body: [UInt8], secret: String) -> String? {
        guard let key = key(of: secret) else { return nil }
        var content = Array("\(id).\(timestamp).".utf8)
        content += body
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The `webhook-signature` header value: one entry per secret, space-separated (several
    /// while a rotated secret is still honoured; any one valid entry verifies).
    public static func header(id: String, timestamp: Int, body: [UInt8], secrets: [String]) -> String {
        secrets.compactMap { sign(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// Whether `header` holds a valid entry for `secret` (constant-time comparison), for tests
    /// and receivers written in Swift. The timestamp's age is the caller's to check.
    public static func verify(header: String, id: String, timestamp: Int, body: [UInt8], secret: String) -> Bool {
        guard let key = key(of: secret) else { return false }
        var content = Array("\(id).\(timestamp).".utf8)
        content += body
        return header.split(separator: " ").contains { entry in
            guard entry.hasPrefix("v1,"), let mac = Data(base64Encoded: String(entry.dropFirst(3))) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: content, using: key)
        }
    }
}
