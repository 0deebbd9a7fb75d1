import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Ingest's common path: a known member writing in a conversation that is already open, read in
/// one statement and written in one.
extension PostgresConversationsRepository {
    /// What ingest needs to know before writing, read in one statement.
    struct LookUp {
        var existing: IngestResult?
        var memberID: UUID?
        /// The member's open (or pending) conversation, locked until commit.
        var conversation: ActiveConversation?
        var offer: ChoiceOffer?
    }

    /// One round trip: an already stored copy (a retried webhook), the sender's member, their
    /// conversation that is not closed — locked `FOR UPDATE`, so held replies are released
    /// exactly (see `MessageSender.hold`) — and, for short texts, the last reply's offered choices.
    func lookUp(_ message: InboundMessageInput, tenantID: UUID, _ connection: PostgresConnection) async throws -> LookUp {
        let wantOffer = Self.mayBeNumberedAnswer(message)
        let row = try await connection.rows(
            IngestLookUpStatement(tenantID: tenantID, message: message, wantOffer: wantOffer), logger: logger
        ).first
        guard let (existingID, existingConversation, memberID, conversationID, status, routingState, offerID, offerProvider, offerPayload, answered) = row
        else { throw MissingRowError(what: "ingest lookup") }
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

    /// One round trip: inserts the message (naming `channelPostID`, the post it made in a channel);
    /// when `deskActivity`, updates the conversation (a member writing wakes a snoozed one and
    /// lifts it in the queues); when `releaseHeld`, puts the held replies back in the outbox (the member
    /// wrote, so the service window is open again; the conversation row is already locked by
    /// `lookUp` or `activeConversation`, see `MessageSender.hold`); records the wake-up when
    /// `woke`. Throws `LostDuplicateRace` when an identical webhook stored the message first.
    func store(
        _ message: InboundMessageInput, content: (kind: MessageKind, text: String?, payload: String), messageID: UUID,
        conversationID: UUID, releaseHeld: Bool, woke: Bool, deskActivity: Bool, channelPostID: UUID?, tenantID: UUID,
        _ connection: PostgresConnection
    ) async throws {
        let inserted = try await connection.rows(
            IngestStoreStatement(
                tenantID: tenantID, messageID: messageID, conversationID: conversationID, message: message, content: content,
                channelPostID: channelPostID, deskActivity: deskActivity, releaseHeld: releaseHeld, woke: woke,
                wakeEventID: UUIDv7.make()),
            logger: logger
        ).isEmpty == false
        guard inserted else { throw LostDuplicateRace() }
    }

    /// The stored copy of `message` (same provider message id and adapter), if any.
}
