import Foundation

/// Text as routing compares it: members write "CAMIÓN", "camion" or "Camión" and mean the same.
public enum RoutingText {
    /// Lower case without accents ("Instalação" → "instalacao"), whitespace trimmed.
    public static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).trimmingWhitespace()
    }

    /// The folded words of `text`, split on anything that is not a letter or a digit.
    public static func words(_ text: String) -> [Substring] {
        fold(text).split { !($0.isLetter || $0.isNumber) }
    }

    /// A menu answer such as "2", " 2. " or "2)"; nil when the text is anything else.
    public static func menuNumber(_ text: String) -> Int? {
        var trimmed = Substring(text.trimmingWhitespace())
        if let last = trimmed.last, last == "." || last == ")" { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty, trimmed.count <= 3, trimmed.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(trimmed)
    }
}
