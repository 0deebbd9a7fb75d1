import Foundation
import Hummingbird
import NIOCore

/// Writes JSON text directly, byte for byte as `AppRequestContext.encoder` writes the same
/// values (sorted snake_case keys, lower-case UUIDs, RFC 3339 times with milliseconds, slashes
/// unescaped, absent optionals left out), for the few answers too large for `Codable`'s cost
/// per value: a broadcast to 10,000 subcontractors answers with 10,000 offers, and encoding them
/// through `JSONEncoder` (every value boxed and cast to lower-case its UUIDs, every key converted
/// to snake_case, every object's keys sorted) took longer than writing them to the database.
///
/// The caller writes each object's keys in sorted order; the tests compare every type written
/// this way with the encoder's own output.
struct JSONText {
    private(set) var bytes: [UInt8] = []
    /// Whether the next value in the current object or array needs a comma before it.
    private var needsComma = false
    /// The last time written and its text: an answer's rows often share their times.
    private var lastDate: (Date, [UInt8])?

    /// An empty text with room for about `capacity` bytes.
    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    /// `{`, its members written by `body`, `}`.
    mutating func object(_ body: (inout JSONText) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// `[`, the elements written by `element` for each item, `]`.
    mutating func array<Items: Sequence>(_ items: Items, _ element: (inout JSONText, Items.Element) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        for item in items { element(&self, item) }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member's key; its value follows.
    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    /// A string, escaped as `JSONEncoder` escapes it.
    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A UUID as its lower-case string.
    mutating func uuid(_ value: UUID) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        withUnsafeBytes(of: value.uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A time in RFC 3339, UTC, with milliseconds (`RFC3339.format`).
    mutating func date(_ value: Date) {
        separate()
        if let lastDate, lastDate.0 == value {
            bytes.append(contentsOf: lastDate.1)
        } else {
            let text = Array("\"\(RFC3339.format(value))\"".utf8)
            lastDate = (value, text)
            bytes.append(contentsOf: text)
        }
        needsComma = true
    }

    /// A finite number as `JSONEncoder` writes a `Double` (its shortest form, without ".0").
    mutating func number(_ value: Double) {
        separate()
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    /// A whole number.
    mutating func number(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    /// `true` or `false`.
    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    /// A member `key: value` written only when `value` is present, as `encodeIfPresent` does.
    mutating func member<Value>(_ key: StaticString, ifPresent value: Value?, _ write: (inout JSONText, Value) -> Void) {
        guard let value else { return }
        self.key(key)
        write(&self, value)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hex = Array("0123456789abcdef".utf8)
}

/// A JSON answer written with `JSONText`.
protocol JSONTextResponse: ResponseGenerator {
    /// Writes the answer's JSON.
    func write(to json: inout JSONText)
    /// About how many bytes the answer takes, to allocate once.
    var estimatedSize: Int { get }
}

extension JSONTextResponse {
    /// The JSON text of the answer.
    var jsonText: [UInt8] {
        var json = JSONText(capacity: estimatedSize)
        write(to: &json)
        return json.bytes
    }

    /// `200` with the JSON body, as `ResponseEncodable` answers (`EditedResponse` sets another status).
    func response(from request: Request, context: some RequestContext) throws -> Response {
        let bytes = jsonText
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(bytes.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
