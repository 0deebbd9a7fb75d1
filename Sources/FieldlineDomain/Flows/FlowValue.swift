import Foundation

/// A value a flow run holds in a variable: what the member answered (text, a number, a date, a
/// choice id, photos as message ids, a location as `{latitude, longitude}`) or what a step set.
/// Stored as plain JSON in the run's state.
public enum FlowValue: Sendable, Hashable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([FlowValue])
    case object([String: FlowValue])
    case null

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([FlowValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: FlowValue].self)) }
    }

    /// Encodes as the JSON value it is.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// A location value.
    public static func location(latitude: Double, longitude: Double) -> FlowValue {
        .object(["latitude": .number(latitude), "longitude": .number(longitude)])
    }

    /// The value at a dotted path below this one (`body.status`).
    public func value(at path: ArraySlice<Substring>) -> FlowValue? {
        guard let first = path.first else { return self }
        guard case .object(let fields) = self, let next = fields[String(first)] else { return nil }
        return next.value(at: path.dropFirst())
    }

    /// How the value reads inside a message: numbers without a needless `.0`, photos as a count.
    public var text: String {
        switch self {
        case .string(let value): value
        case .number(let value): value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): value ? "true" : "false"
        case .array(let values): String(values.count)
        case .object(let fields):
            if case .number(let lat)? = fields["latitude"], case .number(let lon)? = fields["longitude"] { "\(lat),\(lon)" } else { "" }
        case .null: ""
        }
    }

    /// The string, when the value is one.
    public var string: String? { if case .string(let value) = self { value } else { nil } }
    /// The number, when the value is one (or a string that reads as one).
    public var number: Double? {
        switch self {
        case .number(let value): value
        case .string(let value): Double(value)
        default: nil
        }
    }
    /// The strings of an array value (photo message ids).
    public var strings: [String] {
        if case .array(let values) = self { values.compactMap(\.string) } else { [] }
    }
}
