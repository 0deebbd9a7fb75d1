import FieldlineChannels
import Foundation
import Testing

/// The kinds of published vector in `Tests/Fixtures/vectors.json` (taken from the providers' docs,
/// SDKs and helper-library tests; each entry names its `source`). `VectorsTests` switches over this
/// enum exhaustively, so a kind cannot be left without a check.
enum VectorKind: String, CaseIterable, Sendable {
    case twilioSignature = "twilio-signature"
    case twilioBodySHA256 = "twilio-body-sha256"
    case twimlMessagingResponse = "twiml-messaging-response"
    case hubSignature256 = "hub-signature-256"
    case telegramUpdate = "telegram-update"
    case whatsappMessageObject = "whatsapp-message-object"
    case whatsappWebhook = "whatsapp-webhook"
    case whatsappSendRequest = "whatsapp-send-request"
    case whatsappSendResponse = "whatsapp-send-response"
    case whatsappMediaURLResponse = "whatsapp-media-url-response"
    case metaVerifyHandshake = "meta-verify-handshake"
    case messengerWebhookEvent = "messenger-webhook-event"
    case messengerSendRequest = "messenger-send-request"
}

/// One published test vector.
struct Vector: Sendable, CustomTestStringConvertible {
    /// Position in the fixture (0-based), used as its id in reports.
    let index: Int
    /// The whole entry.
    let entry: JSONValue

    var kindName: String { entry["kind"]?.string ?? "?" }
    var kind: VectorKind? { VectorKind(rawValue: kindName) }
    var inputs: JSONValue { entry["inputs"] ?? .null }
    var expected: JSONValue { entry["expected"] ?? .null }
    var expectedValid: Bool? { entry["expected_valid"]?.bool }
    var rawBody: [UInt8]? { inputs["raw_body"]?.string.map { Array($0.utf8) } }
    var testDescription: String { "#\(index) \(kindName) — \((entry["source"]?.string ?? "").prefix(70))" }

    /// The expected value as `[dotted path: value]` (the fixture's derived-field form).
    var expectedPaths: [String: JSONValue] { expected.members ?? [:] }
}

/// Loads the fixture once. A missing or broken fixture yields no vectors, which `VectorsTests` reports.
enum Vectors {
    static let fixtureURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vectors.json")

    static let all: [Vector] = {
        guard let data = try? Data(contentsOf: fixtureURL),
            let root = try? JSONValue.parse(Array(data), provider: .whatsapp)
        else { return [] }
        return root.elements.enumerated().map { Vector(index: $0.offset, entry: $0.element) }
    }()

    static func of(_ kind: VectorKind) -> [Vector] { all.filter { $0.kind == kind } }
}

extension JSONValue {
    /// The value at a dotted path such as `entry.0.changes.0.field`.
    func at(_ dotted: String) -> JSONValue? {
        dotted.split(separator: ".").reduce(Optional(self)) { value, key in
            guard let value else { return nil }
            if let index = Int(key), case .array = value { return value[index] }
            return value[String(key)]
        }
    }

    /// Parses the JSON text of a string (used for `raw` payloads and request bodies).
    static func parsing(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONValue.parse(bytes, provider: .whatsapp)
    }
}
