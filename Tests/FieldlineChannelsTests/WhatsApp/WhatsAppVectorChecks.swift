import FieldlineChannels
import Foundation
import Testing

/// Checks for the WhatsApp Cloud API vectors: webhook payloads, message objects, send requests and responses.
enum WhatsAppVectorChecks {
    static let account = WhatsAppAccount(apiVersion: "v23.0", phoneNumberID: "106540352242922", accessToken: "<ACCESS_TOKEN>")

    /// Wraps a `messages[]` element in the documented webhook envelope.
    static func envelope(message: JSONValue) -> [UInt8] {
        let value: JSONValue = [
            "messaging_product": "whatsapp",
            "metadata": ["display_phone_number": "15550783881", "phone_number_id": "106540352242922"],
            "contacts": [["profile": ["name": "Sheena Nelson"], "wa_id": "16505551234"]],
            "messages": [message],
        ]
        let root: JSONValue = ["object": "whatsapp_business_account", "entry": [["id": "102290129340398", "changes": [["value": value, "field": "messages"]]]]]
        return root.serialized
    }

    static func messageObject(_ vector: Vector) throws {
        let object = try #require(vector.inputs["json"])
        let events = try WhatsAppInbound.parse(envelope(message: object))
        guard events.count == 1, case .message(let message) = events[0] else {
            Issue.record("expected one message, got \(events)")
            return
        }
        #expect(message.providerMessageID == object["id"]?.string)
        #expect(message.sentAt == Date(timeIntervalSince1970: object["timestamp"]?.double ?? 0))
        #expect(message.replyToProviderMessageID == object.at("context.id")?.string)
        #expect(message.senderName == "Sheena Nelson")
        let expected = vector.expectedPaths
        if let from = expected["from"]?.string { #expect(message.sender == "+" + from) }
        switch (expected["type"]?.string, message.content) {
        case ("text", .text(let body)):
            #expect(body == expected["text.body"]?.string)
        case ("location", .location(let latitude, let longitude, let name, let address)):
            #expect(latitude == expected["location.latitude"]?.double)
            #expect(longitude == expected["location.longitude"]?.double)
            #expect(name == expected["location.name"]?.string)
            #expect(address == object.at("location.address")?.string)
        case ("button", .choice(let id, let title)):
            #expect(id == expected["button.payload"]?.string)
            #expect(title == expected["button.text"]?.string)
        case ("system", .unsupported(let type, let raw)):
            #expect(type == "system")
            let kept = try JSONValue.parsing(Array(raw.utf8))
            #expect(kept.at("system.type") == expected["system.type"])
            #expect(kept.at("system.wa_id") == expected["system.wa_id"])
            #expect(kept == object)
        default:
            Issue.record("type \(expected["type"]?.string ?? "?") parsed as \(message.content)")
        }
    }

    static func webhook(_ vector: Vector) throws {
        let body = try #require(vector.rawBody)
        let root = try JSONValue.parsing(body)
        let events = try WhatsAppInbound.parse(body)
        guard events.count == 1, case .message(let message) = events[0] else {
            Issue.record("expected one message, got \(events)")
            return
        }
        let text = try #require(vector.expectedPaths["entry.0.changes.0.value.messages.0.text.body"]?.string)
        #expect(message.content == .text(text))
        if let id = vector.expectedPaths["entry.0.changes.0.value.messages.0.id"]?.string {
            #expect(message.providerMessageID == id)
        }
        let waID = try #require(root.at("entry.0.changes.0.value.contacts.0.wa_id")?.string)
        #expect(message.sender == "+" + waID)
        #expect(message.senderName == root.at("entry.0.changes.0.value.contacts.0.profile.name")?.string)
        // The real bytes of the payload, signed as Meta signs them, pass; one changed byte fails.
        let header = HubSignature.sign(rawBody: body, appSecret: "app-secret")
        try HubSignature.verify(rawBody: body, header: header, appSecret: "app-secret")
        var tampered = body
        tampered[tampered.count / 2] ^= 0x01
        #expect(throws: SignatureError.mismatch) { try HubSignature.verify(rawBody: tampered, header: header, appSecret: "app-secret") }
    }
}
