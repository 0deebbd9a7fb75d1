import FieldlineChannels
import Testing

/// The provider id of the message a member quotes, which lets a reply to a channel relay speak in
/// that channel: read in the same form as our sends record their ids.
@Suite("Quoted replies")
struct QuotedReplyTests {
    @Test("WhatsApp: a text quoting our message carries context.id, the wamid of the quoted message")
    func whatsApp() throws {
        let body = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ana"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"wamid.OUT-7"},"from":"16505551234","id":"wamid.IN2","timestamp":"1749416390","type":"text","text":{"body":"Llego en 10"}},{"from":"16505551234","id":"wamid.IN3","timestamp":"1749416391","type":"text","text":{"body":"sin cita"}}]},"field":"messages"}]}]}"#
        let messages = try WhatsAppInbound.parse(Array(body.utf8)).compactMap { event -> InboundMessage? in
            if case .message(let message) = event { message } else { nil }
        }
        try #require(messages.count == 2)
        #expect(messages[0].content == .text("Llego en 10"))
        #expect(messages[0].replyToProviderMessageID == "wamid.OUT-7")
        #expect(messages[1].replyToProviderMessageID == nil)
    }

    @Test("Telegram: reply_to_message.message_id is given as '<chat id>:<message id>', like the ids of our sends")
    func telegram() throws {
        let update = #"{"update_id":10000,"message":{"date":1441645532,"chat":{"id":1111111,"type":"private","first_name":"Ana"},"message_id":1400,"from":{"id":1111111,"is_bot":false,"first_name":"Ana"},"text":"Voy para allá","reply_to_message":{"message_id":1365,"date":1441645000,"chat":{"id":1111111,"type":"private"},"text":"Reunión a las 9"}}}"#
        let events = try TelegramInbound.parse(Array(update.utf8))
        guard events.count == 1, case .message(let message) = events[0] else { Issue.record("unexpected \(events)"); return }
        #expect(message.providerMessageID == "1111111:1400")
        #expect(message.content == .text("Voy para allá"))
        #expect(message.replyToProviderMessageID == "1111111:1365")
        let plain = #"{"update_id":10001,"message":{"date":1441645533,"chat":{"id":1111111},"message_id":1401,"text":"hola"}}"#
        guard case .message(let unquoted)? = try TelegramInbound.parse(Array(plain.utf8)).first else { Issue.record("no message"); return }
        #expect(unquoted.replyToProviderMessageID == nil)
    }

    @Test("Messenger: message.reply_to.mid names the quoted message")
    func messenger() throws {
        let webhook = #"{"object":"page","entry":[{"id":"682498302938465","time":1518479195594,"messaging":[{"sender":{"id":"PSID1"},"recipient":{"id":"682498302938465"},"timestamp":1518479195308,"message":{"mid":"m_IN2","text":"Llego en 10","reply_to":{"mid":"m_OUT7"}}},{"sender":{"id":"PSID1"},"recipient":{"id":"682498302938465"},"timestamp":1518479195309,"message":{"mid":"m_IN3","text":"hola"}}]}]}"#
        let messages = try MessengerInbound.parse(Array(webhook.utf8)).compactMap { event -> InboundMessage? in
            if case .message(let message) = event { message } else { nil }
        }
        try #require(messages.count == 2)
        #expect(messages[0].content == .text("Llego en 10"))
        #expect(messages[0].replyToProviderMessageID == "m_OUT7")
        #expect(messages[1].replyToProviderMessageID == nil)
    }
}
