/// A channel's short name, which a member writes as `#handle` at the start of a message to speak
/// in that channel from any app (docs/channels.md): 1–40 lower-case ASCII letters, digits and
/// dashes, not starting with a dash, unique within a tenant.
public enum ChannelHandle {
    /// The longest handle.
    public static let maxLength = 40

    /// Checks a handle given through the API (surrounding whitespace is ignored; upper case is refused
    /// rather than folded, so what is stored is what the admin typed).
    public static func validate(_ raw: String, field: String = "handle") throws -> String {
        let handle = raw.trimmingWhitespace()
        guard isValid(handle) else {
            throw ValidationError(
                field: field,
                message: "\(field) must be 1–\(maxLength) lower-case letters, digits or dashes, not starting with a dash, e.g. sur-norte")
        }
        return handle
    }

    /// Whether `handle` has the shape of a channel handle.
    public static func isValid(_ handle: some StringProtocol) -> Bool {
        (1...maxLength).contains(handle.count) && handle.first != "-"
            && handle.allSatisfy { ($0.isASCII && ("a"..."z").contains($0)) || $0.isASCIIDigit || $0 == "-" }
    }

    /// The handle a message is addressed to and the text that follows it, when the message starts
    /// with `#handle` and some text: `"#Sur-Norte  Llego en 10"` → `("sur-norte", "Llego en 10")`.
    /// The token is lower-cased; nil when there is no such prefix, the token is not handle-shaped,
    /// or nothing follows it.
    public static func addressed(_ text: String) -> (handle: String, text: String)? {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.first == "#" else { return nil }
        let afterHash = trimmed.dropFirst()
        guard let end = afterHash.firstIndex(where: \.isWhitespace) else { return nil }
        let token = afterHash[..<end].lowercased()
        let rest = String(afterHash[end...]).trimmingWhitespace()
        guard isValid(token), !rest.isEmpty else { return nil }
        return (token, rest)
    }
}
