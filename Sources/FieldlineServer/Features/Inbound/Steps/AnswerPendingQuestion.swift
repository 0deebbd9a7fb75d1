import FieldlineChannels
import FieldlineDomain
import Foundation

/// What the member answers: a short text that picks one of the numbered choices of the last
/// reply they received (SMS, or wherever the provider showed choices as "1) …" lines) is stored
/// as a `choice`, like a button press. Only the first answer counts, so a later "3" meaning three
/// minutes stays text. Words said to peers in a channel answer nothing.
///
/// This is where an inbound message meets what something is waiting for: offers and flow steps
/// answer here too, as steps of their own beside this one.
struct AnswerPendingQuestion: InboundStep {
    var scope: InboundStepScope { .message }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        try await wave.forEachActive { item in
            let conversation = try item.requireConversation()
            guard item.isDeskActivity else { return }
            let offer: ChoiceOffer?
            if item.conversationWasOpen {
                offer = item.offer
            } else if conversation.opened {
                // A conversation opened just now has no replies yet: nothing to answer.
                offer = nil
            } else {
                // Opened by another writer after the look-up: read its last offer now.
                offer = Self.mayAnswer(item.message) ? try await Self.lastOffer(in: conversation.id, transaction) : nil
            }
            if let answer = try Self.numberedAnswer(item.message, offer: offer) { item.content = answer }
        }
    }

    /// Whether `message` could be a numbered answer at all: a choice title (or "#10)") is short,
    /// so longer texts skip the look-up of the offer.
    static func mayAnswer(_ message: InboundMessageInput) -> Bool {
        guard message.kind == .text, let text = message.text else { return false }
        return text.count <= ReplyContent.maxChoiceTitleLength + 10
    }

    /// The numbered answer `message` gives to `offer`, stored as a `choice` whose payload names
    /// the choice, what the member wrote and the outbound message answered; nil when it is none.
    static func numberedAnswer(_ message: InboundMessageInput, offer: ChoiceOffer?) throws -> StoredContent? {
        guard mayAnswer(message), let text = message.text,
              let offer, !offer.answered,
              let provider = offer.provider.flatMap(ChannelProvider.init(rawValue:)),
              let offered = ReplyPayload(json: offer.payload).choices?.map({ Choice(id: $0.id, title: $0.title) }),
              Capabilities.of(provider).choiceRendering(for: offered) == .numberedText,
              let picked = NumberedChoices.match(text, in: offered)
        else { return nil }
        return StoredContent(kind: .choice, text: picked.title, payload: [
            "choice_id": .string(picked.id), "title": .string(picked.title), "answer": .string(text),
            "offer_message_id": .string(offer.id.uuidString.lowercased()),
        ])
    }

    /// The conversation's last reply that offered choices, as the look-up reads it.
    private static func lastOffer(in conversationID: UUID, _ transaction: TenantTransaction) async throws -> ChoiceOffer? {
        let tenantID = transaction.tenantID
        return try await transaction.query("""
            SELECT o.id, o.provider, o.payload::text,
                   EXISTS (SELECT 1 FROM messages a
                           WHERE a.tenant_id = \(tenantID) AND a.conversation_id = \(conversationID)
                             AND a.direction = 'inbound' AND a.kind = 'choice' AND a.id > o.id)
            FROM messages o
            WHERE o.tenant_id = \(tenantID) AND o.conversation_id = \(conversationID) AND o.direction = 'outbound'
              AND o.kind <> 'system' AND o.delivery_status IN ('sent', 'delivered', 'read')
            ORDER BY o.id DESC LIMIT 1
            """
        ).first { row in
            let (id, provider, payload, answered) = try row.decode((UUID, String?, String, Bool).self)
            return ChoiceOffer(id: id, provider: provider, payload: payload, answered: answered)
        }
    }
}

/// The last reply that offered choices: the question a member's short text may answer.
struct ChoiceOffer: Sendable {
    let id: UUID
    /// The provider it went out through (how its choices were shown).
    let provider: String?
    /// Its payload as JSON text (`ReplyPayload`).
    let payload: String
    /// An inbound choice already followed it.
    let answered: Bool
}
