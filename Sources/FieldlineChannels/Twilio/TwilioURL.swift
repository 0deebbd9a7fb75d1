/// The URL forms a Twilio signature may cover, and reading a raw query without re-encoding it.
enum TwilioURL {
    /// The URL as received, without its port, and with the default port added (`:443`/`:80`), each also
    /// with the query in WHATWG-serialized form (as twilio-node produces), and with the query's
    /// percent-escapes of non-ASCII characters decoded, then all of them decoded: a webhook URL
    /// configured as `?sede=Málaga` arrives as `?sede=M%C3%A1laga`, but Twilio signs the URL as
    /// configured (issue 15). Duplicates removed, in that order.
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
        let decoded = forms.compactMap { decodedQuery($0, onlyNonASCII: true) }
            + forms.compactMap { decodedQuery($0, onlyNonASCII: false) }
        for form in forms + forms.map(whatwgQuery) + decoded where !result.contains(form) { result.append(form) }
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

    /// The URL with the query's `%XX` escapes decoded (only those of bytes above 0x7F when
    /// `onlyNonASCII`, so an escaped `&` or `=` keeps its meaning); nil when nothing was decoded or
    /// the result is not UTF-8.
    private static func decodedQuery(_ url: String, onlyNonASCII: Bool) -> String? {
        guard let questionMark = url.firstIndex(of: "?") else { return nil }
        let fragmentStart = url[questionMark...].firstIndex(of: "#") ?? url.endIndex
        let raw = Array(url[url.index(after: questionMark)..<fragmentStart].utf8)
        var query: [UInt8] = []
        var changed = false
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "%"), index + 2 < raw.count,
               let byte = UInt8(String(decoding: raw[(index + 1)...(index + 2)], as: UTF8.self), radix: 16),
               !onlyNonASCII || byte > 0x7F {
                query.append(byte)
                changed = true
                index += 3
            } else {
                query.append(raw[index])
                index += 1
            }
        }
        guard changed, let text = String(validating: query, as: UTF8.self) else { return nil }
        return String(url[...questionMark]) + text + String(url[fragmentStart...])
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
