import FieldlineDomain
import Foundation
import PostgresNIO

/// A member's answer to an offer as the inbound step found it, before it is decided.
struct PendingOfferAnswer: Sendable {
    /// The message's position in its wave.
    let index: Int
    let offerID: UUID
    let answer: OfferAnswer
    let memberID: UUID
    let conversationID: UUID
}

extension OfferAnswering {
    /// Answers together the Accepts of a wave whose job was already taken when the wave began:
    /// most of a broadcast's Accepts arrive after its winner, and each gets the same polite
    /// "already taken" and changes nothing else (as `answer` decides them one by one). One
    /// statement reads their offers, one writes every reply with its outbox row, instead of two
    /// or three statements per Accept; a wave of 64 late Accepts of one job was most of its batch.
    /// Returns the events of each answered message's conversation, by the message's index; the
    /// answers it leaves out (declines, jobs still offered, offers the member never got) go
    /// through `answer`.
    static func answerLateAccepts(
        _ answers: [PendingOfferAnswer], _ transaction: TenantTransaction
    ) async throws -> [Int: [NewStreamEvent]] {
        let accepts = answers.filter { $0.answer == .accept }
        guard !accepts.isEmpty else { return [:] }
        let tenantID = transaction.tenantID
        let late = try await transaction.query("""
            SELECT a.i, j.order_number
            FROM unnest(\(Array(accepts.indices))::bigint[], \(accepts.map(\.offerID))::uuid[], \(accepts.map(\.memberID))::uuid[])
                AS a(i, offer_id, member_id)
            JOIN offers o ON o.tenant_id = \(tenantID) AND o.id = a.offer_id
            JOIN offer_recipients r ON r.tenant_id = \(tenantID) AND r.offer_id = o.id AND r.member_id = a.member_id
            JOIN jobs j ON j.tenant_id = \(tenantID) AND j.id = o.job_id
            WHERE j.status = ANY(\(taken.map(\.rawValue))::text[]) AND o.status <> 'accepted'
            """
        ).collect { row in
            let (position, orderNumber) = try row.decode((Int, String).self)
            return (answer: accepts[position], text: OfferText.alreadyTaken(orderNumber: orderNumber))
        }
        guard !late.isEmpty else { return [:] }
        let messageIDs = late.map { _ in UUIDv7.make() }
        try await transaction.query("""
            WITH message AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, delivery_status)
                SELECT \(tenantID), m.id, m.conversation_id, 'outbound', 'system', m.body, 'queued'
                FROM unnest(\(messageIDs)::uuid[], \(late.map(\.answer.conversationID))::uuid[], \(late.map(\.text))::text[])
                    AS m(id, conversation_id, body)
                RETURNING tenant_id, id, conversation_id
            )
            \(unescaped: RoutingEngine.queueMessage)
            """)
        var events: [Int: [NewStreamEvent]] = [:]
        for (reply, messageID) in zip(late, messageIDs) {
            events[reply.answer.index, default: []].append(
                .messageCreated(messageID, in: reply.answer.conversationID, direction: .outbound, kind: .system))
        }
        return events
    }
}
