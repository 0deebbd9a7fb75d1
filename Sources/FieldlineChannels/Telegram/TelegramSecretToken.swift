/// Telegram's webhook authenticity check: the `X-Telegram-Bot-Api-Secret-Token` header must equal the
/// `secret_token` given to `setWebhook` (https://core.telegram.org/bots/api#setwebhook). There is no HMAC.
public enum TelegramSecretToken {
    /// The header's name.
    public static let headerName = "X-Telegram-Bot-Api-Secret-Token"

    /// Throws unless `header` equals `secret`, compared in constant time.
    public static func verify(header: String?, secret: String) throws(SignatureError) {
        guard let header, !header.isEmpty else { throw .missingHeader(headerName) }
        guard isWellFormed(header) else { throw .malformedHeader(headerName) }
        guard isWellFormed(secret), ConstantTime.equals(header, secret) else { throw .mismatch }
    }

    /// True when `token` is acceptable to `setWebhook`: 1–256 characters of `A-Z a-z 0-9 _ -`.
    public static func isWellFormed(_ token: String) -> Bool {
        (1...256).contains(token.utf8.count) && token.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
