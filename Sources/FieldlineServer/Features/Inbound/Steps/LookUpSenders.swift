import FieldlineDomain
import Foundation

/// One round trip for the whole wave (`IngestLookUpStatement`): for each message, an already
/// stored copy (a retried webhook), the sender's member, their conversation that is not closed
/// (locked `FOR NO KEY UPDATE`, so held replies are released exactly, see `MessageSender.hold`)
/// and, for short texts, the last reply's offered choices. A member writing through a second
/// identity in the same wave is left for the next one.
struct LookUpSenders: InboundStep {
    var scope: InboundStepScope { .wave }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        let found = try await Self.lookUp(wave.items.map(\.message), in: transaction)
        var members = Set<UUID>()
        for (index, row) in found.enumerated() {
            let (_, existingID, existingConversation, memberID, conversationID, status, routingState, offerID, offerProvider, offerPayload, answered) = row
            if let existingID, let existingConversation {
                wave.items[index].existing = IngestResult(messageId: existingID, conversationId: existingConversation, duplicate: true)
                wave.items[index].result = wave.items[index].existing
                continue
            }
            if let memberID, !members.insert(memberID).inserted {
                // One conversation per member: their second message must see what the first did
                // to it (woken, routed, a choice answered), as when stored one after the other.
                wave.items[index].deferred = true
                continue
            }
            wave.items[index].memberID = memberID
            if let conversationID, let status, let routingState {
                wave.items[index].conversation = ActiveConversation(
                    id: conversationID, opened: false, status: ConversationStatus(rawValue: status) ?? .open,
                    routingState: RoutingState(rawValue: routingState) ?? .none)
                wave.items[index].conversationWasOpen = true
            }
            if let offerID, let offerPayload, let answered {
                wave.items[index].offer = ChoiceOffer(id: offerID, provider: offerProvider, payload: offerPayload, answered: answered)
            }
        }
    }

    /// The look-up's rows for `messages`, in their order.
    static func lookUp(_ messages: [InboundMessageInput], in transaction: TenantTransaction) async throws -> [IngestLookUpStatement.Row] {
        guard !messages.isEmpty else { return [] }
        // Conversations are locked in the order of the input: in sender order, two batches (of
        // two instances) sharing senders lock them in the same order and cannot deadlock.
        let order = messages.indices.sorted { messages[$0].senderKey < messages[$1].senderKey }
        let rows = try await transaction.rows(IngestLookUpStatement(tenantID: transaction.tenantID, messages: order.map { messages[$0] }))
        guard rows.count == messages.count else { throw MissingRowError(what: "ingest lookup") }
        var found = [IngestLookUpStatement.Row?](repeating: nil, count: messages.count)
        for (position, row) in zip(order, rows) { found[position] = row }
        return found.compactMap { $0 }
    }
}
