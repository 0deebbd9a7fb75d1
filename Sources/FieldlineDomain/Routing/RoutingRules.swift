import Foundation

/// One routing rule: a menu number and/or keywords that send a conversation to a team.
public struct RoutingRule: Sendable, Equatable {
    /// The rule's id.
    public let id: UUID
    /// Where matching conversations go.
    public let teamID: UUID
    /// Shown in the welcome menu ("2. Billing").
    public let label: String
    /// The menu number, if the rule is in the menu.
    public let menuNumber: Int?
    /// Folded keywords or phrases (see `RoutingText.fold`).
    public let keywords: [String]

    /// A rule; `keywords` must already be folded (`RoutingRules.keywords(_:)` does it).
    public init(id: UUID, teamID: UUID, label: String, menuNumber: Int?, keywords: [String]) {
        self.id = id
        self.teamID = teamID
        self.label = label
        self.menuNumber = menuNumber
        self.keywords = keywords
    }
}

/// Matching a member's message against the tenant's rules, and the menu they are offered.
public enum RoutingRules {
    /// Most keywords a rule may have.
    public static let maxKeywords = 50

    /// The first rule the text selects: an exact menu number wins; otherwise the first rule (in
    /// the given order) with a keyword or phrase found among the text's words, ignoring case and
    /// accents.
    public static func match(_ text: String, rules: [RoutingRule]) -> RoutingRule? {
        if let number = RoutingText.menuNumber(text) {
            return rules.first { $0.menuNumber == number }
        }
        let words = RoutingText.words(text)
        guard !words.isEmpty else { return nil }
        return rules.first { rule in
            rule.keywords.contains { keyword in
                let phrase = RoutingText.words(keyword)
                return !phrase.isEmpty && contains(words, phrase)
            }
        }
    }

    /// The numbered menu, one "n. label" line per rule that has a number, in number order.
    public static func menu(_ rules: [RoutingRule]) -> String {
        rules.compactMap { rule in rule.menuNumber.map { ($0, rule.label) } }
            .sorted { $0.0 < $1.0 }
            .map { "\($0.0). \($0.1)" }
            .joined(separator: "\n")
    }

    /// Validated keywords: folded, de-duplicated, each 1–100 characters.
    public static func keywords(_ raw: [String], field: String = "keywords") throws -> [String] {
        guard raw.count <= maxKeywords else {
            throw ValidationError(field: field, code: "too_many", message: "at most \(maxKeywords) keywords")
        }
        var result: [String] = []
        for value in raw {
            let folded = RoutingText.words(value).joined(separator: " ")
            guard !folded.isEmpty, folded.count <= 100 else {
                throw ValidationError(field: field, message: "each keyword needs 1 to 100 letters or digits ('\(value.prefix(40))' has none or too many)")
            }
            if !result.contains(folded) { result.append(folded) }
        }
        return result
    }

    private static func contains(_ words: [Substring], _ phrase: [Substring]) -> Bool {
        guard phrase.count <= words.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
            if zip(words[start...], phrase).allSatisfy({ $0 == $1 }) { return true }
        }
        return false
    }
}
