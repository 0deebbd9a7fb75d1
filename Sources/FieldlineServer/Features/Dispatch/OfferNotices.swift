import FieldlineDomain
import Foundation
import PostgresNIO

/// The notices about a job's closed offers, written after the closing transaction committed
/// (`dispatch.notices`): each due offer's text goes as a `system` message to each recipient's
/// conversation that is not closed (none is opened for it), queued through the outbox, with an
/// `offer.withdrawn` or `offer.expired` stream event in each recipient's conversation (an expired
/// offer also in the job's own one). Each offer's `offer_notices` row is deleted in the same
/// statement, so a notice is written once; no offer row is locked meanwhile.
enum OfferNotices {
    /// Sends every notice due for the job, in one statement whatever their number.
    static func send(of jobID: UUID, _ transaction: TenantTransaction) async throws {
        let tenantID = transaction.tenantID
        guard let (orderNumber, ownConversation) = try await transaction.query(
            "SELECT order_number, conversation_id FROM jobs WHERE tenant_id = \(tenantID) AND id = \(jobID)"
        ).first({ try $0.decode((String, UUID?).self) }) else { return }
        let rows = try await transaction.query("""
            WITH noted AS (
                DELETE FROM offer_notices WHERE tenant_id = \(tenantID) AND job_id = \(jobID)
                RETURNING offer_id, notice
            ), due AS (
                SELECT o.id, o.organization_id, o.status, noted.notice FROM noted
                JOIN offers o ON o.tenant_id = \(tenantID) AND o.id = noted.offer_id
            ), recipients AS (
                SELECT due.id AS offer_id, due.organization_id, due.status, due.notice, r.member_id, r.conversation_id
                FROM due JOIN offer_recipients r ON r.tenant_id = \(tenantID) AND r.offer_id = due.id
            ), targets AS (
                SELECT DISTINCT c.id AS conversation_id, recipients.notice FROM recipients
                JOIN conversations c ON c.tenant_id = \(tenantID) AND c.member_id = recipients.member_id AND c.status <> 'closed'
                WHERE recipients.notice IS NOT NULL
            ), sent AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, delivery_status)
                SELECT \(tenantID), uuid_v7(), targets.conversation_id, 'outbound', 'system', targets.notice, 'queued'
                FROM targets ORDER BY targets.conversation_id
                RETURNING tenant_id, id, conversation_id
            ), queued AS (
                \(unescaped: OfferDelivery.queueSent)
            )
            SELECT due.id, due.organization_id, due.status, NULL::uuid, NULL::uuid FROM due
            UNION ALL SELECT recipients.offer_id, recipients.organization_id, recipients.status, recipients.conversation_id, NULL::uuid FROM recipients
            UNION ALL SELECT NULL::uuid, NULL::uuid, NULL::text, sent.conversation_id, sent.id FROM sent
            """
        ).collect { try $0.decode((UUID?, UUID?, String?, UUID?, UUID?).self) }
        var events: [NewStreamEvent] = []
        for (offerID, organizationID, status, conversationID, messageID) in rows {
            switch (offerID, conversationID, messageID) {
            case let (offerID?, conversationID, nil):
                // An offer (no conversation) or one of its recipients; an expired offer also shows on the job's own conversation.
                let kind: StreamEventKind = status == "expired" ? .offerExpired : .offerWithdrawn
                guard let target = conversationID ?? (kind == .offerExpired ? ownConversation : nil) else { continue }
                events.append(NewStreamEvent(kind: kind, conversationID: target, data: [
                    "job_id": .id(jobID), "order_number": .string(orderNumber), "offer_id": .id(offerID),
                    "organization_id": .id(organizationID),
                ]))
            case let (nil, conversationID?, messageID?):
                events.append(.messageCreated(messageID, in: conversationID, direction: .outbound, kind: .system))
            default:
                break
            }
        }
        transaction.stream(events)
    }
}
