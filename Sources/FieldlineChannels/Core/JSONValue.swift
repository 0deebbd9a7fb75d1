import Foundation

/// A JSON document as a tree, read leniently: every accessor returns `nil` instead of throwing.
///
/// Provider payloads are looser than their schemas (Telegram's own examples omit required fields and
/// send numbers where strings are documented), so adapters read them through this type rather than
/// strict `Codable` structs.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Parses JSON bytes, or throws `ChannelParseError.malformedJSON`.
    public static func parse(_ bytes: some Collection<UInt8>, provider: ChannelProvider) throws(ChannelParseError) -> JSONValue {
        func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONValueParser.Failure> {
            Result { () throws(JSONValueParser.Failure) in try JSONValueParser.parse(buffer) }
        }
        let parsed = bytes.withContiguousStorageIfAvailable(parse) ?? Array(bytes).withUnsafeBufferPointer(parse)
        switch parsed {
        case .success(let value): return value
        case .failure(let failure): throw .malformedJSON(provider: provider, detail: failure.description)
        }
    }

    /// Parses JSON bytes that are not a provider's (stored JSON, for instance); nil when malformed.
    public init?(parsing bytes: some Collection<UInt8>) {
        guard let value = try? Self.parse(bytes, provider: .whatsapp) else { return nil }
        self = value
    }

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array, or `nil` (also when out of range).
    public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// The value when it is a JSON string.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as text when it is a string or a whole number (ids and timestamps arrive as either).
    public var text: String? {
        switch self {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .number(let number): return Self.whole(number).map { String($0) }
        default: return nil
        }
    }

    /// The value as a 64-bit integer when it is a whole number or a string of one.
    public var int64: Int64? {
        switch self {
        case .integer(let number): return number
        // `1.0` or `1e2`: written as a fraction or with an exponent, but whole.
        case .number(let number): return Self.whole(number)
        case .string(let text): return Int64(text)
        default: return nil
        }
    }

    /// The value as a floating-point number when it is numeric or a numeric string.
    public var double: Double? {
        switch self {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        case .string(let text): return Double(text)
        default: return nil
        }
    }

    /// A double as an integer when it is whole and within 2^53, where every integer is exact (past
    /// that, the double may already be a neighbour of the number that was written).
    private static func whole(_ number: Double) -> Int64? {
        abs(number) <= 9_007_199_254_740_992 ? Int64(exactly: number) : nil
    }

    /// The value when it is a boolean.
    public var bool: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The elements when it is an array; an empty array otherwise.
    public var elements: [JSONValue] {
        if case .array(let elements) = self { return elements }
        return []
    }

    /// The members when it is an object.
    public var members: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Compact JSON text with sorted keys, for storing raw payloads and building request bodies.
    public var serialized: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? Array("null".utf8)
    }

    /// `serialized` as a string.
    public var serializedString: String { String(decoding: serialized, as: UTF8.self) }
}
