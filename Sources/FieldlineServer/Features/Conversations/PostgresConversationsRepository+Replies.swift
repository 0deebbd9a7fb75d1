import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// What an inbound message means for our earlier replies: a numbered answer picks a choice, and
/// any message reopens the service window for held replies.
extension PostgresConversationsRepository {
    /// The `payload` of a numbered answer stored as a `choice`.
    private struct NumberedAnswer: Encodable {
        let choiceId: String
        let title: String
        /// What the member wrote, e.g. `2`.
        let answer: String
        /// The outbound message whose choices were answered.
        let offerMessageId: UUID

        enum CodingKeys: String, CodingKey {
            case choiceId = "choice_id", title, answer, offerMessageId = "offer_message_id"
        }
    }

    /// The last reply that offered choices, as read for a numbered answer.
    struct ChoiceOffer: Sendable {
        let id: UUID
        let provider: String?
        let payload: String
        /// An inbound choice already followed it.
        let answered: Bool
    }

    /// Whether `message` could be a numbered answer at all: a choice title (or "#10)") is short,
    /// so longer texts skip the lookup of the offer.
    static func mayBeNumberedAnswer(_ message: InboundMessageInput) -> Bool {
        guard message.kind == .text, let text = message.text else { return false }
        return text.count <= ReplyContent.maxChoiceTitleLength + 10
    }

    /// Kind, text and payload of `message` when it answers the numbered choices of the last reply
    /// the member received (SMS, or wherever the provider showed choices as "1) …" lines); nil otherwise.
    func numberedAnswer(_ message: InboundMessageInput, in conversationID: UUID, tenantID: UUID, _ connection: PostgresConnection)
        async throws -> (kind: MessageKind, text: String?, payload: String)?
    {
        guard Self.mayBeNumberedAnswer(message) else { return nil }
        let offer = try await connection.query("""
            SELECT o.id, o.provider, o.payload::text,
                   EXISTS (SELECT 1 FROM messages a
                           WHERE a.tenant_id = \(tenantID) AND a.conversation_id = \(conversationID)
                             AND a.direction = 'inbound' AND a.kind = 'choice' AND a.id > o.id)
            FROM messages o
            WHERE o.tenant_id = \(tenantID) AND o.conversation_id = \(conversationID) AND o.direction = 'outbound'
              AND o.kind <> 'system' AND o.delivery_status IN ('sent', 'delivered', 'read')
            ORDER BY o.id DESC LIMIT 1
            """, logger: logger
        ).first { row in
            let (id, provider, payload, answered) = try row.decode((UUID, String?, String, Bool).self)
            return ChoiceOffer(id: id, provider: provider, payload: payload, answered: answered)
        }
        return try Self.numberedAnswer(message, offer: offer)
    }

    /// The numbered answer `message` gives to `offer`, if any.
    ///
    /// Only the first answer counts, so a later "3" meaning three minutes stays text.
    static func numberedAnswer(_ message: InboundMessageInput, offer: ChoiceOffer?) throws -> (kind: MessageKind, text: String?, payload: String)? {
        guard mayBeNumberedAnswer(message), let text = message.text,
              let offer, !offer.answered,
              let provider = offer.provider.flatMap(ChannelProvider.init(rawValue:)),
              let offered = ReplyPayload(json: offer.payload).choices?.map({ Choice(id: $0.id, title: $0.title) }),
              Capabilities.of(provider).choiceRendering(for: offered) == .numberedText,
              let picked = NumberedChoices.match(text, in: offered)
        else { return nil }
        let answer = NumberedAnswer(choiceId: picked.id, title: picked.title, answer: text, offerMessageId: offer.id)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (.choice, picked.title, String(decoding: try encoder.encode(answer), as: UTF8.self))
    }

    /// A closed conversation is archived, so its member's next message opens a new one and
    /// never releases these: say so on them instead of leaving them held forever.
    func failHeldMessages(in conversationID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE messages SET delivery_status = 'failed',
                delivery_error = left('not sent: the conversation was closed while this message was held (' || coalesce(delivery_error, 'service window closed') || ')', 1000)
            WHERE tenant_id = \(tenantID) AND conversation_id = \(conversationID) AND delivery_status = 'held'
            """, logger: logger)
    }
}
