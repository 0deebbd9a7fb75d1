import FieldlineDomain
import Foundation
import PostgresNIO

/// Offers follow the delivery reports of the messages that carry them: `sent → delivered → read`,
/// never backwards, and never once answered, withdrawn or expired.
enum OfferDeliveryReports {
    /// Moves the offer carried by the outbound message `providerMessageID` (of `adapterID`) to
    /// `status` when that is `delivered` or `read` and further along than where the offer is.
    /// An acceptance holding the offer row makes this wait, then find it closed and leave it.
    static func apply(
        _ status: DeliveryStatus, providerMessageID: String, provider: String, adapterID: UUID, tenantID: UUID,
        _ connection: PostgresConnection, logger: Logger
    ) async throws {
        guard status == .delivered || status == .read else { return }
        try await connection.query("""
            UPDATE offers o SET status = \(status.rawValue), updated_at = now()
            FROM offer_recipients r
            JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id
            WHERE r.tenant_id = \(tenantID) AND o.tenant_id = \(tenantID) AND o.id = r.offer_id
              AND m.provider = \(provider) AND m.adapter_id = \(adapterID) AND m.provider_message_id = \(providerMessageID)
              AND m.direction = 'outbound'
              AND (o.status = 'sent' OR (o.status = 'delivered' AND \(status.rawValue) = 'read'))
            """, logger: logger)
    }
}
