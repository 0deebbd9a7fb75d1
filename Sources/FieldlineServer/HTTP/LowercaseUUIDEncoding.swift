import Foundation

/// A `JSONEncoder` that writes every `UUID` in lower case (`UUID.uuidString` is upper case),
/// so ids look the same in `id` fields, URLs and webhook URLs. Input accepts both cases,
/// as `UUID(uuidString:)` does. Everything else is left to `JSONEncoder` and its strategies.
final class LowercaseUUIDJSONEncoder: JSONEncoder, @unchecked Sendable {
    /// Encodes `value` with each `UUID` in it as a lower-case string.
    override func encode<T: Encodable>(_ value: T) throws -> Data {
        try super.encode(LowercaseUUIDs(value))
    }
}

/// A value encoded through `LowercaseUUIDEncoder`.
struct LowercaseUUIDs: Encodable {
    let value: any Encodable

    /// Wraps one value.
    init(_ value: any Encodable) { self.value = value }

    /// Encodes a UUID as its lower-case string, anything else through the lower-casing encoder.
    func encode(to encoder: any Encoder) throws {
        if let uuid = value as? UUID {
            var container = encoder.singleValueContainer()
            try container.encode(uuid.uuidString.lowercased())
            return
        }
        try value.encode(to: LowercaseUUIDEncoder(inner: encoder))
    }

    /// What to hand the real container for `value`: the lower-case string of a UUID; primitives
    /// (whose container overloads default to the generic one, so wrapping them would recurse) and
    /// values `JSONEncoder` treats specially (dates, data, URLs, decimals, string-keyed dictionaries,
    /// whose keys it never converts) as they are or with wrapped elements; anything else wrapped.
    static func leaf(_ value: any Encodable) -> any Encodable {
        switch value {
        case let uuid as UUID: return uuid.uuidString.lowercased()
        case is Date, is Data, is URL, is Decimal, is String, is Bool, is Float, is Double,
             is Int, is Int8, is Int16, is Int32, is Int64, is UInt, is UInt8, is UInt16, is UInt32, is UInt64:
            return value
        case let dictionary as [String: any Encodable]: return dictionary.mapValues { LowercaseUUIDs($0) }
        default: return LowercaseUUIDs(value)
        }
    }
}

/// An `Encoder` that forwards to the real one, wrapping nested values so a `UUID` at any depth
/// is written as its lower-case string.
struct LowercaseUUIDEncoder: Encoder {
    let inner: any Encoder
    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { inner.userInfo }

    /// A keyed container that wraps what it is given.
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(LowercaseUUIDKeyedContainer(inner: inner.container(keyedBy: type)))
    }

    /// An unkeyed container that wraps what it is given.
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        LowercaseUUIDUnkeyedContainer(inner: inner.unkeyedContainer())
    }

    /// A single-value container that wraps what it is given.
    func singleValueContainer() -> any SingleValueEncodingContainer {
        LowercaseUUIDSingleValueContainer(inner: inner.singleValueContainer())
    }
}
