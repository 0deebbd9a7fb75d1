import Foundation

/// Forwards to a keyed container; `Encodable` values go through `LowercaseUUIDs.leaf`.
/// Primitive overloads (strings, numbers, booleans, nil) use the protocol's defaults, which
/// reach `encode<T>` only for non-primitive values.
struct LowercaseUUIDKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    var inner: KeyedEncodingContainer<Key>
    var codingPath: [any CodingKey] { inner.codingPath }

    /// Writes null.
    mutating func encodeNil(forKey key: Key) throws { try inner.encodeNil(forKey: key) }
    /// Writes a string as it is.
    mutating func encode(_ value: String, forKey key: Key) throws { try inner.encode(value, forKey: key) }
    /// Writes a boolean.
    mutating func encode(_ value: Bool, forKey key: Key) throws { try inner.encode(value, forKey: key) }
    /// Writes a double.
    mutating func encode(_ value: Double, forKey key: Key) throws { try inner.encode(value, forKey: key) }
    /// Writes an integer.
    mutating func encode(_ value: Int, forKey key: Key) throws { try inner.encode(value, forKey: key) }
    /// Writes a 64-bit integer.
    mutating func encode(_ value: Int64, forKey key: Key) throws { try inner.encode(value, forKey: key) }
    /// Writes any other value, UUIDs in lower case.
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try inner.encode(LowercaseUUIDs.leaf(value), forKey: key)
    }
    /// A nested keyed container, wrapped.
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(LowercaseUUIDKeyedContainer<NestedKey>(inner: inner.nestedContainer(keyedBy: keyType, forKey: key)))
    }
    /// A nested unkeyed container, wrapped.
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        LowercaseUUIDUnkeyedContainer(inner: inner.nestedUnkeyedContainer(forKey: key))
    }
    /// The superclass's encoder, wrapped.
    mutating func superEncoder() -> any Encoder { LowercaseUUIDEncoder(inner: inner.superEncoder()) }
    /// The superclass's encoder for `key`, wrapped.
    mutating func superEncoder(forKey key: Key) -> any Encoder { LowercaseUUIDEncoder(inner: inner.superEncoder(forKey: key)) }
}

/// Forwards to an unkeyed container; `Encodable` values go through `LowercaseUUIDs.leaf`.
struct LowercaseUUIDUnkeyedContainer: UnkeyedEncodingContainer {
    var inner: any UnkeyedEncodingContainer
    var codingPath: [any CodingKey] { inner.codingPath }
    var count: Int { inner.count }

    /// Writes null.
    mutating func encodeNil() throws { try inner.encodeNil() }
    /// Writes a string as it is.
    mutating func encode(_ value: String) throws { try inner.encode(value) }
    /// Writes a boolean.
    mutating func encode(_ value: Bool) throws { try inner.encode(value) }
    /// Writes a double.
    mutating func encode(_ value: Double) throws { try inner.encode(value) }
    /// Writes an integer.
    mutating func encode(_ value: Int) throws { try inner.encode(value) }
    /// Writes a 64-bit integer.
    mutating func encode(_ value: Int64) throws { try inner.encode(value) }
    /// Writes any other value, UUIDs in lower case.
    mutating func encode<T: Encodable>(_ value: T) throws { try inner.encode(LowercaseUUIDs.leaf(value)) }
    /// A nested keyed container, wrapped.
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(LowercaseUUIDKeyedContainer<NestedKey>(inner: inner.nestedContainer(keyedBy: keyType)))
    }
    /// A nested unkeyed container, wrapped.
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        LowercaseUUIDUnkeyedContainer(inner: inner.nestedUnkeyedContainer())
    }
    /// The superclass's encoder, wrapped.
    mutating func superEncoder() -> any Encoder { LowercaseUUIDEncoder(inner: inner.superEncoder()) }
}

/// Forwards to a single-value container; `Encodable` values go through `LowercaseUUIDs.leaf`.
struct LowercaseUUIDSingleValueContainer: SingleValueEncodingContainer {
    var inner: any SingleValueEncodingContainer
    var codingPath: [any CodingKey] { inner.codingPath }

    /// Writes null.
    mutating func encodeNil() throws { try inner.encodeNil() }
    /// Writes a string as it is.
    mutating func encode(_ value: String) throws { try inner.encode(value) }
    /// Writes a boolean.
    mutating func encode(_ value: Bool) throws { try inner.encode(value) }
    /// Writes a double.
    mutating func encode(_ value: Double) throws { try inner.encode(value) }
    /// Writes an integer.
    mutating func encode(_ value: Int) throws { try inner.encode(value) }
    /// Writes a 64-bit integer.
    mutating func encode(_ value: Int64) throws { try inner.encode(value) }
    /// Writes any other value, UUIDs in lower case.
    mutating func encode<T: Encodable>(_ value: T) throws { try inner.encode(LowercaseUUIDs.leaf(value)) }
}
