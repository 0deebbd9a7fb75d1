/// Small, reusable input rules. Each returns the cleaned value or throws a `ValidationError`
/// naming the field.
public enum Validate {
    /// A trimmed, non-empty name of at most `maxLength` characters.
    public static func name(_ value: String, field: String = "name", maxLength: Int = 200) throws -> String {
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw ValidationError(field: field, message: "\(field) must not be empty")
        }
        guard fits(trimmed, maxLength: maxLength) else {
            throw ValidationError(field: field, message: "\(field) must be at most \(maxLength) characters")
        }
        return trimmed
    }

    /// The most UTF-8 bytes one character may take: the longest emoji sequences take about 40,
    /// while a "character" of thousands of combining marks would otherwise count as one.
    public static let maxCharacterBytes = 64

    /// Whether `value` has at most `maxLength` characters, none over `maxCharacterBytes`. Plain
    /// text short in bytes is accepted without counting characters (slow on huge strings).
    public static func fits(_ value: String, maxLength: Int) -> Bool {
        let bytes = value.utf8.count
        if bytes <= maxLength { return true }
        guard bytes <= maxLength * maxCharacterBytes else { return false }
        var count = 0
        for character in value {
            count += 1
            guard count <= maxLength, character.utf8.count <= maxCharacterBytes else { return false }
        }
        return true
    }

    /// Optional free text: trimmed, empty becomes nil, at most `maxLength` characters.
    public static func optionalText(_ value: String?, field: String, maxLength: Int = 200) throws -> String? {
        guard let trimmed = value?.trimmingWhitespace(), !trimmed.isEmpty else { return nil }
        guard fits(trimmed, maxLength: maxLength) else {
            throw ValidationError(field: field, message: "\(field) must be at most \(maxLength) characters")
        }
        return trimmed
    }

    /// A number inside a closed range.
    public static func range(_ value: Double, _ range: ClosedRange<Double>, field: String) throws -> Double {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError(
                field: field, code: "out_of_range",
                message: "\(field) must be between \(range.lowerBound.clean) and \(range.upperBound.clean)")
        }
        return value
    }

    /// Tags: lowercased, trimmed, deduplicated, each 1–50 characters of letters, digits, `-` `_` `:`.
    public static func tags(_ values: [String], field: String = "tags") throws -> [String] {
        guard values.count <= 50 else {
            throw ValidationError(field: field, message: "at most 50 tags are allowed")
        }
        var seen = Set<String>()
        var result: [String] = []
        for raw in values {
            let tag = raw.trimmingWhitespace().lowercased()
            let allowed = tag.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_:".unicodeScalars.contains($0)
            }
            guard (1...50).contains(tag.count), allowed else {
                throw ValidationError(
                    field: field,
                    message: "tag '\(raw)' must be 1–50 letters, digits, '-', '_' or ':'")
            }
            if seen.insert(tag).inserted { result.append(tag) }
        }
        return result
    }

    /// The longest email address accepted (RFC 5321's path limit).
    public static let maxEmailLength = 254

    /// Whether `email` is within `maxEmailLength` characters of at most four bytes on average, so
    /// it always fits the indexes that hold emails (login look-up and throttle).
    public static func fitsEmail(_ email: String) -> Bool {
        email.utf8.count <= maxEmailLength * 4 && email.count <= maxEmailLength
    }

    /// An email address, lowercased; only the shape is checked.
    public static func email(_ value: String, field: String = "email") throws -> String {
        let email = value.trimmingWhitespace().lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard fitsEmail(email), parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !email.contains(where: \.isWhitespace)
        else {
            throw ValidationError(field: field, message: "\(field) must be an email address")
        }
        return email
    }
}

extension String {
    /// The string without leading and trailing white space (Foundation-free).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

extension Double {
    fileprivate var clean: String {
        Int(exactly: self).map(String.init) ?? String(self)
    }
}
