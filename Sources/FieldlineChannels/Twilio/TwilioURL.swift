/// The URL forms a Twilio signature may cover, and reading a raw query without re-encoding it.
enum TwilioURL {
    /// The URL as received, without its port, and with the default port added (`:443`/`:80`), each also
    /// with the query in WHATWG-serialized form (as twilio-node produces); duplicates removed, in that order.
    static func candidates(for url: String) -> [String] {
        var forms = [url]
        if let parts = split(url) {
            if parts.port != nil {
                forms.append(parts.joined(port: nil))
            } else if let port = defaultPort(parts.scheme) {
                forms.append(parts.joined(port: port))
            }
        }
        var result: [String] = []
        for form in forms + forms.map(whatwgQuery) where !result.contains(form) { result.append(form) }
        return result
    }

    /// The raw (still percent-encoded) value of query parameter `name`, or `nil`.
    static func queryValue(named name: String, in url: String) -> String? {
        guard let questionMark = url.firstIndex(of: "?") else { return nil }
        let query = url[url.index(after: questionMark)...].prefix { $0 != "#" }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    private struct Parts {
        var scheme: String
        var userInfoAndHost: String
        var port: String?
        var rest: String

        func joined(port: String?) -> String {
            "\(scheme)://\(userInfoAndHost)\(port.map { ":\($0)" } ?? "")\(rest)"
        }
    }

    private static func split(_ url: String) -> Parts? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = String(url[..<schemeEnd.lowerBound])
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        let rest = String(afterScheme[authorityEnd...])
        let hostStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        if let colon = authority[hostStart...].lastIndex(of: ":"), !authority[colon...].contains("]") {
            let port = authority[authority.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return nil }
            return Parts(scheme: scheme, userInfoAndHost: String(authority[..<colon]), port: String(port), rest: rest)
        }
        return Parts(scheme: scheme, userInfoAndHost: String(authority), port: nil, rest: rest)
    }

    private static func defaultPort(_ scheme: String) -> String? {
        switch scheme.lowercased() {
        case "https": return "443"
        case "http": return "80"
        default: return nil
        }
    }

    /// Percent-encodes in the query what the WHATWG URL serializer encodes for special schemes:
    /// controls, space, `"`, `#`, `<`, `>`, `'` and non-ASCII bytes. Existing escapes stay as they are.
    private static func whatwgQuery(_ url: String) -> String {
        guard let questionMark = url.firstIndex(of: "?") else { return url }
        let fragmentStart = url[questionMark...].firstIndex(of: "#") ?? url.endIndex
        var query: [UInt8] = []
        for byte in url[url.index(after: questionMark)..<fragmentStart].utf8 {
            let escaped = byte < 0x21 || byte > 0x7E || "\"#<>'".utf8.contains(byte)
            query += escaped ? FormEncoding.hexEscape(byte) : [byte]
        }
        return String(url[...questionMark]) + String(decoding: query, as: UTF8.self) + String(url[fragmentStart...])
    }
}
