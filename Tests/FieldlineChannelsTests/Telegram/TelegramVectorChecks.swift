import FieldlineChannels
import Foundation
import Testing

/// Checks for Telegram's published example updates: each derived field is matched to the
/// `InboundEvent` field that carries it.
enum TelegramVectorChecks {
    /// Fields of the examples that `InboundMessage` does not carry (forward origin, entities, …).
    static let notCarried: Set<String> = [
        "update_id", "message.from.id", "message.forward_from.id", "message.forward_date",
        "message.reply_to_message.text", "message.entities.0.type", "message.entities.0.offset",
        "message.entities.0.length", "message.entities.1.type", "message.voice.duration",
        "callback_query.inline_message_id",
    ]

    static func update(_ vector: Vector) throws {
        let body = try #require(vector.rawBody)
        let update = try JSONValue.parsing(body)
        let events = try TelegramInbound.parse(body)
        try #require(events.count == 1)
        guard case .message(let message) = events[0] else {
            Issue.record("expected a message, got \(events[0])")
            return
        }
        #expect(message.provider == .telegram)
        var checked = 0
        for (path, value) in vector.expectedPaths {
            if notCarried.contains(path) { continue }
            checked += 1
            switch path {
            case "message.text", "message.message_id", "message.chat.id", "message.date",
                "message.reply_to_message.message_id":
                try checkMessage(path: path, value: value, update: update, message: message)
            case "message.voice.file_id", "message.voice.mime_type":
                guard case .document(let media, _, _) = message.content else {
                    Issue.record("a voice note should be kept as a document: \(message.content)")
                    continue
                }
                #expect(path.hasSuffix("file_id") ? media.providerMediaID == value.string : media.mimeType == value.string)
            case "callback_query.id":
                #expect(message.providerMessageID == "callback:\(value.text ?? "")")
            case "callback_query.from.id":
                #expect(message.sender == value.text)
            case "callback_query.data":
                #expect(message.content == .choice(id: value.string ?? "", title: nil))
            case "inline_query.id", "inline_query.query":
                guard case .unsupported(let type, let raw) = message.content else {
                    Issue.record("an inline query should be kept as unsupported: \(message.content)")
                    continue
                }
                #expect(type == "inline_query")
                let field = String(path.dropFirst("inline_query.".count))
                #expect(try JSONValue.parsing(Array(raw.utf8))[field] == value)
            default:
                Issue.record("vector field \(path) is neither checked nor listed as not carried")
            }
        }
        #expect(checked > 0)
    }

    private static func checkMessage(path: String, value: JSONValue, update: JSONValue, message: InboundMessage) throws {
        let chatID = try #require(update.at("message.chat.id")?.text)
        switch path {
        case "message.text":
            #expect(message.content == .text(value.string ?? ""))
        case "message.message_id":
            #expect(message.providerMessageID == "\(chatID):\(value.text ?? "")")
        case "message.chat.id":
            #expect(message.sender == value.text)
        case "message.date":
            #expect(message.sentAt == Date(timeIntervalSince1970: value.double ?? 0))
        default:
            #expect(message.replyToProviderMessageID == "\(chatID):\(value.text ?? "")")
        }
    }
}
