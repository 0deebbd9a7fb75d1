/// Splits text that is longer than a provider allows into several messages.
enum TextChunks {
    /// Pieces of at most `limit` characters, cut at the last newline or space when there is one.
    static func split(_ text: String, limit: Int) -> [String] {
        guard limit > 0, text.count > limit else { return [text] }
        var pieces: [String] = []
        var rest = Substring(text)
        while rest.count > limit {
            let window = rest.prefix(limit)
            let cut = window.lastIndex(where: { $0 == "\n" || $0 == " " }).map { rest.index(after: $0) }
                ?? window.endIndex
            pieces.append(String(rest[..<cut]).trimmingTrailingSpaces())
            rest = rest[cut...]
        }
        if !rest.isEmpty { pieces.append(String(rest)) }
        return pieces
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while let last = copy.last, last == " " || last == "\n" { copy.removeLast() }
        return copy
    }
}
