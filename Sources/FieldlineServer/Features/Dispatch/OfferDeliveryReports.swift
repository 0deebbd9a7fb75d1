import FieldlineDomain
import Foundation
import PostgresNIO

/// Offers follow the delivery reports of the messages that carry them: `sent → delivered → read`,
/// never backwards, and never once answered, withdrawn or expired.
enum OfferDeliveryReports {
    /// Moves the offer carried by the outbound message `providerMessageID` (of `adapterID`) to
    /// `status` when that is `delivered` or `read` and further along than where the offer is,
    /// with an `offer.delivered` or `offer.read` stream event in the recipient's conversation,
    /// keyed by the job. An acceptance holding the offer row makes this wait, then find it
    /// closed and leave it.
    static func apply(
        _ status: DeliveryStatus, providerMessageID: String, provider: String, adapterID: UUID, _ transaction: TenantTransaction
    ) async throws {
        let kind: StreamEventKind
        switch status {
        case .delivered: kind = .offerDelivered
        case .read: kind = .offerRead
        default: return
        }
        let tenantID = transaction.tenantID
        let moved = try await transaction.query("""
            UPDATE offers o SET status = \(status.rawValue), updated_at = now()
            FROM offer_recipients r
            JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id,
            jobs j
            WHERE r.tenant_id = \(tenantID) AND o.tenant_id = \(tenantID) AND o.id = r.offer_id
              AND j.tenant_id = \(tenantID) AND j.id = o.job_id
              AND m.provider = \(provider) AND m.adapter_id = \(adapterID) AND m.provider_message_id = \(providerMessageID)
              AND m.direction = 'outbound'
              AND (o.status = 'sent' OR (o.status = 'delivered' AND \(status.rawValue) = 'read'))
            RETURNING o.id, o.organization_id, o.job_id, j.order_number, r.conversation_id
            """
        ).collect { try $0.decode((UUID, UUID, UUID, String, UUID).self) }
        transaction.stream(moved.map { offerID, organizationID, jobID, orderNumber, conversationID in
            NewStreamEvent(kind: kind, conversationID: conversationID, jobID: jobID, data: [
                "job_id": .id(jobID), "order_number": .string(orderNumber), "offer_id": .id(offerID),
                "organization_id": .id(organizationID),
            ])
        })
    }
}
