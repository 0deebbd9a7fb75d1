import FieldlineDomain
import Foundation

/// Normalisation of the sender and recipient ids that providers send.
enum SenderID {
    /// E.164 for a phone number given with or without `+` (WhatsApp sends bare digits; Twilio may
    /// prefix `whatsapp:`). Anything that is not a phone number is returned trimmed, unchanged,
    /// so an odd id is still stored rather than lost.
    static func phone(_ raw: String) -> String {
        // WhatsApp's bare digits, on every webhook: no trimming or prefix to look for.
        if let first = raw.utf8.first, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9"),
           raw.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return (try? PhoneNumber(parsing: "+" + raw).e164) ?? raw
        }
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("whatsapp:") { text.removeFirst("whatsapp:".count) }
        let candidate = text.hasPrefix("+") ? text : "+" + text
        return (try? PhoneNumber(parsing: candidate).e164) ?? text
    }

    /// A Unix timestamp in seconds or milliseconds (told apart by magnitude) as a date.
    static func date(_ value: JSONValue?) -> Date? {
        guard let number = value?.double, number > 0 else { return nil }
        let seconds = number > 100_000_000_000 ? number / 1000 : number
        return Date(timeIntervalSince1970: seconds)
    }
}
