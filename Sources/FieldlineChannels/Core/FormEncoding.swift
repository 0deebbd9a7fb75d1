/// One `name=value` pair of an `application/x-www-form-urlencoded` body, decoded.
public struct FormField: Sendable, Hashable {
    /// The decoded name.
    public var name: String
    /// The decoded value.
    public var value: String

    /// Creates a field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// `application/x-www-form-urlencoded` reading and writing (WHATWG rules: `+` is a space).
public enum FormEncoding {
    /// Decodes a form body into its fields, in order; repeated names are kept. Never throws:
    /// a malformed escape is kept literally, as browsers do.
    public static func decode(_ body: some Collection<UInt8>) -> [FormField] {
        body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(parts[0])
            let value = parts.count > 1 ? percentDecode(parts[1]) : ""
            return FormField(name, value)
        }
    }

    /// Encodes fields as a form body, escaping everything but `A-Z a-z 0-9 * - . _` (space becomes `+`).
    public static func encode(_ fields: [FormField]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            out += percentEncode(field.name)
            out.append(UInt8(ascii: "="))
            out += percentEncode(field.value)
        }
        return out
    }

    /// Escapes a string for a URL path segment or query value (RFC 3986 unreserved characters stay).
    public static func escapeComponent(_ text: String) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            if isUnreserved(byte) || byte == UInt8(ascii: "~") {
                out.append(byte)
            } else {
                out += hexEscape(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func percentDecode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < input.count,
                let decoded = Hex.decode(String(decoding: input[index + 1...index + 2], as: UTF8.self))
            {
                out += decoded
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func percentEncode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for byte in text.utf8 {
            if isUnreserved(byte) || byte == UInt8(ascii: "*") {
                out.append(byte)
            } else if byte == UInt8(ascii: " ") {
                out.append(UInt8(ascii: "+"))
            } else {
                out += hexEscape(byte)
            }
        }
        return out
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    static func hexEscape(_ byte: UInt8) -> [UInt8] {
        [UInt8(ascii: "%")] + Array(Hex.encode([byte]).uppercased().utf8)
    }
}
