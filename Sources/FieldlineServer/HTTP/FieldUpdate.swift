/// A PATCH field that distinguishes "absent" (leave it) from `null` (clear it) and a value.
enum FieldUpdate<Value: Sendable>: Sendable {
    case unchanged
    case set(Value?)

    /// Applies the update to a current value.
    func applied(to current: Value?) -> Value? {
        switch self {
        case .unchanged: current
        case .set(let value): value
        }
    }

    /// Maps the value; a transform returning nil (e.g. an empty string) clears the field.
    func flatMap<T>(_ transform: (Value) throws -> T?) rethrows -> FieldUpdate<T> {
        switch self {
        case .unchanged: .unchanged
        case .set(nil): .set(nil)
        case .set(let value?): .set(try transform(value))
        }
    }

    /// Maps the value, keeping absence and null.
    func map<T>(_ transform: (Value) throws -> T) rethrows -> FieldUpdate<T> {
        switch self {
        case .unchanged: .unchanged
        case .set(nil): .set(nil)
        case .set(let value?): .set(try transform(value))
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a PATCH field: missing → `.unchanged`, `null` → `.set(nil)`.
    func decodeUpdate<T: Decodable & Sendable>(_ type: T.Type, forKey key: Key) throws -> FieldUpdate<T> {
        guard contains(key) else { return .unchanged }
        if try decodeNil(forKey: key) { return .set(nil) }
        return .set(try decode(T.self, forKey: key))
    }
}
