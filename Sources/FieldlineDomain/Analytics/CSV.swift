import Foundation

/// Comma-separated values as RFC 4180 defines them, safe to open in a spreadsheet.
public enum CSV {
    /// One field: quoted when it holds a comma, quote, CR or LF (quotes doubled). A text that a
    /// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a
    /// leading `'`, as OWASP advises against CSV injection; numbers never need it.
    public static func field(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
            text = "'" + text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One cell of a record.
    public enum Cell: Sendable, Equatable {
        /// Text, escaped by `field`.
        case text(String)
        /// A number, written by `number` and never prefixed.
        case number(Double)
        /// A number in full, to at most seven decimals (coordinates: about a centimetre), never prefixed.
        case exact(Double)
        /// Nothing (an absent value).
        case empty
    }

    /// One record, ending in CRLF.
    public static func line(_ cells: [Cell]) -> String {
        cells.map { cell in
            switch cell {
            case .text(let text): field(text)
            case .number(let value): number(value)
            case .exact(let value): exact(value)
            case .empty: ""
            }
        }.joined(separator: ",") + "\r\n"
    }

    /// A number without exponent or trailing zeros, to at most seven decimals (`-3.7038`).
    public static func exact(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        var text = String(format: "%.7f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// A number without exponent or trailing zeros, to at most three decimals (`90`, `12.5`).
    public static func number(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        var text = String(format: "%.3f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
