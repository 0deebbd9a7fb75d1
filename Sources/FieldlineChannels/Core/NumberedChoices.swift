import FieldlineDomain
import Foundation

/// The text rendering of choices ("1) Accept\n2) Decline") and the reading of the member's answer.
///
/// SMS always uses it; other providers fall back to it when their native widgets cannot hold the choices.
public enum NumberedChoices {
    /// One line per choice, numbered from 1.
    public static func render(_ choices: [Choice]) -> String {
        choices.enumerated().map { "\($0.offset + 1)) \($0.element.title)" }.joined(separator: "\n")
    }

    /// The choice a free-text answer picks, or `nil` when it picks none.
    ///
    /// Accepts the number alone with common decorations (`2`, ` 2 `, `2)`, `2.`, `#2`) or the exact
    /// title, ignoring case and surrounding spaces. Anything else is ordinary text.
    public static func match(_ answer: String, in choices: [Choice]) -> Choice? {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        var digits = Substring(trimmed)
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        if let last = digits.last, last == ")" || last == "." { digits = digits.dropLast() }
        if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let number = Int(digits) {
            return choices.indices.contains(number - 1) ? choices[number - 1] : nil
        }
        let folded = trimmed.lowercased()
        return choices.first { $0.title.lowercased() == folded }
    }
}
