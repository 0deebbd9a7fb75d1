/// Tenant-written messages with `{placeholders}` ("You are number {position} in line").
public enum PlaceholderText {
    /// Replaces each `{name}` whose name is in `values`; unknown placeholders stay as written,
    /// so a typo is visible rather than silently dropped.
    public static func render(_ template: String, _ values: [String: String]) -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            rest = rest[open...]
            guard let close = rest.firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            result += values[name] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
