import FieldlineChannels
import Foundation

/// Outbox payloads as JSON: written the way PostgreSQL's `jsonb_build_object` writes ids, and
/// read back with errors that say what is wrong with the row.
enum OutboxPayload {
    /// `payload` as JSON text, with every UUID string lowercased: a uuid column turned into JSON
    /// by PostgreSQL (`OutboxSQL`, and every row written before the typed outbox) is lowercase,
    /// and de-duplication (`Outbox.Duplicates`) compares payload values as text.
    static func encode<Payload: Encodable>(_ payload: Payload) throws -> String {
        let value = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(payload))
        return lowercasingUUIDs(value).serializedString
    }

    /// Decodes a stored payload; a row that does not decode is a permanent failure (it will not
    /// decode on the next attempt either), with a message naming the topic and what is wrong.
    static func decode<Payload: Decodable>(_ type: Payload.Type, from json: String, topic: String) throws -> Payload {
        do {
            return try JSONDecoder().decode(type, from: Data(json.utf8))
        } catch {
            throw SendFailure.permanent("the \(topic) payload \(json.prefix(300)) is not readable: \(describe(error))")
        }
    }

    /// What a decoding error means, in words (the payload key it is about first).
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.isEmpty ? "the payload" : keys.map(\.stringValue).joined(separator: ".") }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "\(path(context.codingPath + [key])) is missing"
        case .valueNotFound(_, let context)?: return "\(path(context.codingPath)) is null"
        case .typeMismatch(let type, let context)?: return "\(path(context.codingPath)) is not of type \(type)"
        case .dataCorrupted(let context)?: return "\(path(context.codingPath)): \(context.debugDescription)"
        default: return String(describing: error)
        }
    }

    private static func lowercasingUUIDs(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let string): UUID(uuidString: string) == nil ? value : .string(string.lowercased())
        case .array(let elements): .array(elements.map(lowercasingUUIDs))
        case .object(let members): .object(members.mapValues(lowercasingUUIDs))
        default: value
        }
    }
}
