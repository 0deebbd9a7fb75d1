import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Ingest's common path: known members writing in conversations that are already open, read in
/// one statement and written in one, whatever the number of messages.
extension PostgresConversationsRepository {
    /// What ingest needs to know about one message before writing.
    struct LookUp {
        var existing: IngestResult?
        var memberID: UUID?
        /// The member's open (or pending) conversation, locked until commit.
        var conversation: ActiveConversation?
        var offer: ChoiceOffer?
    }

    /// One round trip for all `messages`, in their order: an already stored copy (a retried
    /// webhook), the sender's member, their conversation that is not closed — locked
    /// `FOR NO KEY UPDATE`, so held replies are released exactly (see `MessageSender.hold`) — and, for
    /// short texts, the last reply's offered choices.
    func lookUp(_ messages: [InboundMessageInput], tenantID: UUID, _ connection: PostgresConnection) async throws -> [LookUp] {
        guard !messages.isEmpty else { return [] }
        // Conversations are locked in the order of the input: in sender order, two batches (of
        // two instances) sharing senders lock them in the same order and cannot deadlock.
        let order = messages.indices.sorted { messages[$0].senderKey < messages[$1].senderKey }
        let rows = try await connection.rows(IngestLookUpStatement(tenantID: tenantID, messages: order.map { messages[$0] }), logger: logger)
        guard rows.count == messages.count else { throw MissingRowError(what: "ingest lookup") }
        var found = [LookUp](repeating: LookUp(), count: messages.count)
        for (position, row) in zip(order, rows) { found[position] = Self.lookUp(row) }
        return found
    }

    /// What one row of the look-up says.
    private static func lookUp(_ row: IngestLookUpStatement.Row) -> LookUp {
        let (_, existingID, existingConversation, memberID, conversationID, status, routingState, offerID, offerProvider, offerPayload, answered) = row
        var found = LookUp(memberID: memberID)
        if let existingID, let existingConversation {
            found.existing = IngestResult(messageId: existingID, conversationId: existingConversation, duplicate: true)
        }
        if let conversationID, let status, let routingState {
            found.conversation = ActiveConversation(
                id: conversationID, opened: false, status: ConversationStatus(rawValue: status) ?? .open, routingState: routingState)
        }
        if let offerID, let offerPayload, let answered {
            found.offer = ChoiceOffer(id: offerID, provider: offerProvider, payload: offerPayload, answered: answered)
        }
        return found
    }

    /// One round trip for all `rows`: inserts the messages; for each one inserted, updates its
    /// conversation when `deskActivity` (a member writing wakes a snoozed one and lifts it in the
    /// queues), puts the held replies back in the outbox when `releaseHeld` (the member wrote, so
    /// the service window is open again; the conversation row is already locked by `lookUp` or
    /// `activeConversation`, see `MessageSender.hold`) and records the wake-up when `woke`.
    /// Returns the ids inserted: a row missing from them lost a race with an identical webhook.
    func store(_ rows: [IngestStoreRow], tenantID: UUID, _ connection: PostgresConnection) async throws -> Set<UUID> {
        guard !rows.isEmpty else { return [] }
        return Set(try await connection.rows(IngestStoreStatement(tenantID: tenantID, rows: rows), logger: logger))
    }
}
