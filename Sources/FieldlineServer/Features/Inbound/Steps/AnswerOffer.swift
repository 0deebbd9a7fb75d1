import FieldlineChannels
import FieldlineDomain
import Foundation

/// A member's answer to a dispatch offer: a choice whose id names an offer (`offer:<id>:accept`,
/// a button press, or a number `AnswerPendingQuestion` just turned into that choice), or a text
/// that is one of the member's offers' titles ("Accept PO-1001", so a member holding several
/// offers on SMS can answer any of them), which is stored as that choice. `OfferAnswering`
/// decides it in this transaction; the message is stored whatever the decision.
struct AnswerOffer: InboundStep {
    var scope: InboundStepScope { .message }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        var answers: [PendingOfferAnswer] = []
        try await wave.forEachActive { item in
            guard item.isDeskActivity, let memberID = item.memberID, let conversation = item.conversation,
                  let (offerID, answer) = try await Self.answer(&item, memberID: memberID, transaction)
            else { return }
            answers.append(PendingOfferAnswer(
                index: item.index, offerID: offerID, answer: answer, memberID: memberID, conversationID: conversation.id))
        }
        guard !answers.isEmpty else { return }
        // Accepts of a job taken before this wave are answered together; the rest one by one, in
        // order, each seeing what the one before decided (the wave's winner, if any, among them).
        let late = try await OfferAnswering.answerLateAccepts(answers, transaction)
        var position: [Int: Int] = [:]
        for index in wave.items.indices { position[wave.items[index].index] = index }
        for pending in answers {
            guard let index = position[pending.index] else { continue }
            if let events = late[pending.index] {
                wave.items[index].followingEvents += events
                continue
            }
            wave.items[index].followingEvents += try await OfferAnswering.answer(
                pending.offerID, pending.answer, memberID: pending.memberID, conversationID: pending.conversationID, transaction)
        }
    }

    /// The offer and answer the message gives, rewriting a title typed as text into its choice.
    private static func answer(
        _ item: inout InboundItem, memberID: UUID, _ transaction: TenantTransaction
    ) async throws -> (offerID: UUID, answer: OfferAnswer)? {
        if item.content.kind == .choice {
            return item.content.payload["choice_id"]?.string.flatMap(OfferChoice.parse)
        }
        guard item.content.kind == .text, let text = item.content.text, OfferChoice.mayBeTitle(text) else { return nil }
        let offers = try await transaction.query("""
            SELECT o.id, j.order_number FROM offer_recipients r
            JOIN offers o ON o.tenant_id = r.tenant_id AND o.id = r.offer_id
            JOIN jobs j ON j.tenant_id = o.tenant_id AND j.id = o.job_id
            WHERE r.tenant_id = \(transaction.tenantID) AND r.member_id = \(memberID)
            ORDER BY o.id DESC LIMIT 50
            """
        ).collect { row in
            let (id, orderNumber) = try row.decode((UUID, String).self)
            return (id: id, orderNumber: orderNumber)
        }
        guard let picked = OfferChoice.match(text, among: offers) else { return nil }
        let title = OfferChoice.title(picked.answer, orderNumber: offers.first { $0.id == picked.offerID }?.orderNumber ?? "")
        item.content = StoredContent(kind: .choice, text: title, payload: [
            "choice_id": .string(OfferChoice.id(picked.offerID, picked.answer)), "title": .string(title), "answer": .string(text),
        ])
        return picked
    }
}
