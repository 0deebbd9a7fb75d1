import FieldlineChannels
import Foundation
import Testing

@Suite("WhatsApp inbound")
struct WhatsAppInboundTests {
    /// A batch built from Meta's OpenAPI spec (https://github.com/facebook/openapi): its image and
    /// list-reply message examples, a reaction,
    /// and statuses in a second change (constructed envelope).
    static let batch = #"""
    {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[
      {"field":"messages","value":{"messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
        "contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],
        "messages":[
          {"from":"16505551234","id":"wamid.IMG","timestamp":"1744344496","type":"image",
           "image":{"caption":"Taj Mahal","mime_type":"image/jpeg","sha256":"SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=","id":"1003383421387256"}},
          {"from":"16505551234","id":"wamid.LIST","timestamp":"1749854575","type":"interactive",
           "context":{"from":"15550783881","id":"wamid.OURS"},
           "interactive":{"type":"list_reply","list_reply":{"id":"priority_express","title":"Priority Mail Express","description":"Next Day to 2 Days"}}},
          {"from":"16505551234","id":"wamid.REACT","timestamp":"1749854580","type":"reaction","reaction":{"message_id":"wamid.OURS","emoji":"👍"}},
          {"from":"16505551234","id":"wamid.DOC","timestamp":"1749854590","type":"document",
           "document":{"filename":"proof.pdf","mime_type":"application/pdf","sha256":"abc","id":"555"}}
        ]}},
      {"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},
        "statuses":[
          {"id":"wamid.SENT1","status":"delivered","timestamp":"1750000000","recipient_id":"16505551234"},
          {"id":"wamid.SENT2","status":"failed","timestamp":"1750000005","recipient_id":"16505551234",
           "errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"Message failed to send because more than 24 hours have passed"}}]},
          {"id":"wamid.SENT3","status":"played","timestamp":"1750000009","recipient_id":"16505551234"}
        ]}}
    ]}]}
    """#

    @Test("a batch yields every message and tracked status, in order")
    func batchOrder() throws {
        let events = try WhatsAppInbound.parse(Array(Self.batch.utf8))
        #expect(events.count == 6)
        guard events.count == 6, case .message(let image) = events[0], case .message(let list) = events[1],
            case .message(let reaction) = events[2], case .message(let document) = events[3],
            case .status(let delivered) = events[4], case .status(let failed) = events[5]
        else {
            Issue.record("unexpected events \(events)")
            return
        }
        #expect(image.content == .image(
            MediaReference(providerMediaID: "1003383421387256", mimeType: "image/jpeg", sha256: "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI="),
            caption: "Taj Mahal"))
        #expect(image.sender == "+16505551234")
        #expect(image.senderName == "Sheena Nelson")
        #expect(list.content == .choice(id: "priority_express", title: "Priority Mail Express"))
        #expect(list.replyToProviderMessageID == "wamid.OURS")
        guard case .unsupported(let type, let raw) = reaction.content else {
            Issue.record("a reaction should be unsupported, not \(reaction.content)")
            return
        }
        #expect(type == "reaction")
        #expect(try JSONValue.parse(Array(raw.utf8), provider: .whatsapp).at("reaction.emoji") == "👍")
        #expect(document.content == .document(
            MediaReference(providerMediaID: "555", mimeType: "application/pdf", sha256: "abc"), filename: "proof.pdf", caption: nil))
        #expect(delivered == DeliveryStatusUpdate(
            provider: .whatsapp, providerMessageID: "wamid.SENT1", status: .delivered,
            at: Date(timeIntervalSince1970: 1_750_000_000), recipient: "+16505551234"))
        #expect(failed.status == .failed)
        #expect(failed.errorCode == "131047")
        #expect(failed.errorMessage == "Message failed to send because more than 24 hours have passed")
    }

    @Test("a body that is not a WhatsApp envelope is refused with a typed error")
    func wrongEnvelope() {
        #expect(throws: ChannelParseError.unexpectedPayload(provider: .whatsapp, detail: "object is 'page'")) {
            try WhatsAppInbound.parse(Array(#"{"object":"page","entry":[]}"#.utf8))
        }
        #expect(throws: ChannelParseError.unexpectedPayload(provider: .whatsapp, detail: "the body is not a JSON object")) {
            try WhatsAppInbound.parse(Array("[1,2]".utf8))
        }
    }

    @Test("odd but valid input never crashes: wrong types and missing ids are skipped")
    func oddInput() throws {
        let body = #"{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"type":"text"},{"id":"x","from":"1","type":"text","text":5}],"statuses":[{"id":"y"}]}}]},{"changes":"no"}]}"#
        let events = try WhatsAppInbound.parse(Array(body.utf8))
        #expect(events.count == 1)
        guard case .message(let message) = events.first, case .unsupported(let type, _) = message.content else {
            Issue.record("expected one unsupported message, got \(events)")
            return
        }
        #expect(type == "text")
        #expect(message.sender == "1")
    }
}
