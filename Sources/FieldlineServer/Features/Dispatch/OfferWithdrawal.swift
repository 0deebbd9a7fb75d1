import FieldlineDomain
import Foundation
import PostgresNIO

/// Withdrawing the open offers of a job (once one is accepted, or when the job leaves `offered`
/// by hand), and telling their recipients.
enum OfferWithdrawal {
    /// Withdraws every open offer of the job but `offerID` (all when nil) and queues `text` as a
    /// system message to each of their recipients, in the conversation of theirs that is not closed (none is
    /// opened for it: ingest may hold a new one for that member, and waiting for it here, while
    /// holding the job, could deadlock). Their `message.created` events go to the stream.
    static func withdraw(of jobID: UUID, keeping offerID: UUID?, telling text: String, _ transaction: TenantTransaction) async throws {
        let tenantID = transaction.tenantID
        let sent = try await transaction.query("""
            WITH withdrawn AS (
                UPDATE offers SET status = 'withdrawn', updated_at = now()
                WHERE tenant_id = \(tenantID) AND job_id = \(jobID) AND (\(offerID)::uuid IS NULL OR id <> \(offerID)) AND status IN ('sent', 'delivered', 'read')
                RETURNING id
            ), targets AS (
                SELECT DISTINCT c.id AS conversation_id FROM withdrawn
                JOIN offer_recipients r ON r.tenant_id = \(tenantID) AND r.offer_id = withdrawn.id
                JOIN conversations c ON c.tenant_id = \(tenantID) AND c.member_id = r.member_id AND c.status <> 'closed'
            ), sent AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, delivery_status)
                SELECT \(tenantID), uuid_v7(), targets.conversation_id, 'outbound', 'system', \(text), 'queued'
                FROM targets ORDER BY targets.conversation_id
                RETURNING tenant_id, id, conversation_id
            ), queued AS (
                \(unescaped: OfferDelivery.queueSent)
            )
            SELECT id, conversation_id FROM sent
            """
        ).collect { try $0.decode((UUID, UUID).self) }
        transaction.stream(sent.map { NewStreamEvent.messageCreated($0.0, in: $0.1, direction: .outbound, kind: .system) })
    }
}
