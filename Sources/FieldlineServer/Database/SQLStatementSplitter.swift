import FieldlineDomain

/// Splits a migration file into single statements, because PostgresNIO speaks only the
/// extended query protocol (one statement per query).
///
/// Understands `--` and `/* */` comments, single- and double-quoted strings and dollar-quoted
/// bodies (`$$ … $$`, `$tag$ … $tag$`), so semicolons inside them do not split.
enum SQLStatementSplitter {
    /// The statements of `sql`, trimmed, without empty ones.
    static func split(_ sql: String) -> [String] {
        let chars = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let text = String(current).trimmingWhitespace()
            if !text.isEmpty, !isOnlyComments(text) { statements.append(text) }
            current = String.UnicodeScalarView()
        }

        while index < chars.count {
            let char = chars[index]
            let next: Unicode.Scalar? = index + 1 < chars.count ? chars[index + 1] : nil
            if char == "-", next == "-" {
                while index < chars.count, chars[index] != "\n" { current.append(chars[index]); index += 1 }
                continue
            }
            if char == "/", next == "*" {
                var depth = 0
                repeat {
                    if chars[index] == "/", index + 1 < chars.count, chars[index + 1] == "*" {
                        depth += 1; current.append(contentsOf: "/*".unicodeScalars); index += 2; continue
                    }
                    if chars[index] == "*", index + 1 < chars.count, chars[index + 1] == "/" {
                        depth -= 1; current.append(contentsOf: "*/".unicodeScalars); index += 2; continue
                    }
                    current.append(chars[index]); index += 1
                } while depth > 0 && index < chars.count
                continue
            }
            if char == "'" || char == "\"" {
                current.append(char); index += 1
                while index < chars.count {
                    current.append(chars[index])
                    if chars[index] == char {
                        // A doubled quote is an escaped quote, not the end.
                        if index + 1 < chars.count, chars[index + 1] == char {
                            current.append(chars[index + 1]); index += 2; continue
                        }
                        index += 1; break
                    }
                    index += 1
                }
                continue
            }
            if char == "$", let tag = dollarTag(chars, at: index) {
                current.append(contentsOf: tag.unicodeScalars); index += tag.unicodeScalars.count
                let tagScalars = Array(tag.unicodeScalars)
                while index < chars.count {
                    if chars[index] == "$", index + tagScalars.count <= chars.count,
                       Array(chars[index..<(index + tagScalars.count)]) == tagScalars {
                        current.append(contentsOf: tag.unicodeScalars); index += tagScalars.count; break
                    }
                    current.append(chars[index]); index += 1
                }
                continue
            }
            if char == ";" {
                flush(); index += 1; continue
            }
            current.append(char); index += 1
        }
        flush()
        return statements
    }

    /// `$tag$` starting at `index`, or nil when the `$` is something else (e.g. `$1`).
    private static func dollarTag(_ chars: [Unicode.Scalar], at index: Int) -> String? {
        var end = index + 1
        while end < chars.count, chars[end] == "_" || chars[end].properties.isAlphabetic
            || (end > index + 1 && ("0"..."9").contains(chars[end])) {
            end += 1
        }
        guard end < chars.count, chars[end] == "$" else { return nil }
        return String(String.UnicodeScalarView(chars[index...end]))
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy {
            let line = String($0).trimmingWhitespace()
            return line.isEmpty || line.hasPrefix("--")
        }
    }
}
