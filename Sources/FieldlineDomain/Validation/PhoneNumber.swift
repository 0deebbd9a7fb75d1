/// A phone number in E.164 form (`+` then 7–15 digits, no leading zero in the country code).
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// The normalised `+<digits>` string.
    public let e164: String

    /// Normalises what people type: spaces, dashes, dots and parentheses are dropped, a leading
    /// `00` becomes `+`. Numbers without an international prefix are refused, because the
    /// country cannot be guessed.
    public init(parsing input: String, field: String = "phone") throws {
        // Fast path for what providers send on every webhook: already E.164, nothing to clean
        // (the general path below works on Characters, which costs grapheme breaking).
        let bytes = input.utf8
        if bytes.first == UInt8(ascii: "+"), (8...16).contains(bytes.count), bytes.dropFirst().first != UInt8(ascii: "0"),
           bytes.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            e164 = input
            return
        }
        var text = input.trimmingWhitespace()
        text.removeAll { " -.()\u{00A0}".contains($0) }
        if text.hasPrefix("00") { text = "+" + text.dropFirst(2) }
        guard text.hasPrefix("+") else {
            throw ValidationError(
                field: field,
                message: "\(field) must be in international format, e.g. +34600123456")
        }
        let digits = text.dropFirst()
        guard (7...15).contains(digits.count), digits.allSatisfy(\.isASCIIDigit), digits.first != "0" else {
            throw ValidationError(field: field, message: "\(field) must be '+' followed by 7 to 15 digits")
        }
        e164 = "+" + digits
    }

    /// Same as `e164`.
    public var description: String { e164 }
}

extension Character {
    /// True for 0–9 only (not other scripts' digits).
    public var isASCIIDigit: Bool { isASCII && ("0"..."9").contains(self) }
}
