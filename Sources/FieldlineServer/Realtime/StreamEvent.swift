import FieldlineChannels
import Foundation
import Hummingbird
import PostgresNIO

/// One event as a stream client receives it (one WebSocket text message of JSON):
/// `{"id": "42", "type": "message.created", "conversation_id": "…", "job_id": null,
/// "occurred_at": "…", "data": {…}, "message": {…}}`. `id` is the cursor to pass back as
/// `?after=`. A job's event names its job, and a conversation only when it happened in one.
struct StreamEvent: Encodable, Sendable {
    /// Position in the tenant's stream, a decimal string (ids only grow).
    let id: String
    /// What happened.
    let type: StreamEventKind
    /// The conversation it happened to; nil for an event of a job alone.
    let conversationId: UUID?
    /// The job, for an event keyed by a job (`job.*`, and the offer answers).
    let jobId: UUID?
    /// When it was committed.
    let occurredAt: Date
    /// Small facts about the change; the keys depend on `type`.
    let data: [String: JSONFragment]
    /// The message, for `message.created`.
    var message: Message?

    /// The numeric cursor.
    var sequence: Int64 { Int64(id) ?? 0 }

    /// Columns read by `init(row:)`.
    static let columns = "e.id, e.kind, e.conversation_id, e.job_id, e.created_at, e.message_id, e.data::text"

    /// Decodes a row of `columns`; returns the message id to attach separately.
    static func decode(_ row: PostgresRow) throws -> (StreamEvent, UUID?) {
        let (id, kind, conversationID, jobID, createdAt, messageID, data) =
            try row.decode((Int64, String, UUID?, UUID?, Date, UUID?, String).self)
        // One pass over the bytes: JSONDecoder here was a visible share of a busy stream's CPU.
        let facts = (JSONValue(parsing: data.utf8)?.members ?? [:]).mapValues(JSONFragment.init)
        let event = StreamEvent(
            id: String(id), type: StreamEventKind(rawValue: kind) ?? .conversationStatusChanged,
            conversationId: conversationID, jobId: jobID, occurredAt: createdAt, data: facts, message: nil)
        return (event, messageID)
    }

    private enum CodingKeys: String, CodingKey {
        case id, type, conversationId, jobId, occurredAt, data, message
    }

    /// Encodes every key but `message`, nulls included, so clients read one shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(conversationId, forKey: .conversationId)
        try container.encode(jobId, forKey: .jobId)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(data, forKey: .data)
        try container.encodeIfPresent(message, forKey: .message)
    }
}

/// A JSON value passed through unchanged from `stream_events.data`.
enum JSONFragment: Sendable, Codable, Equatable {
    case string(String), number(Double), bool(Bool), array([JSONFragment]), null

    /// Decodes a scalar or an array of them (objects are not stored in event data).
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else { self = .array(try container.decode([JSONFragment].self)) }
    }

    /// The same value read by `JSONValue.parse` (an object, never stored in event data, is null).
    init(_ value: JSONValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .integer(let number): self = .number(Double(number))
        case .number(let number): self = .number(number)
        case .bool(let flag): self = .bool(flag)
        case .array(let elements): self = .array(elements.map(JSONFragment.init))
        case .null, .object: self = .null
        }
    }

    /// Encodes the same value.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
