import FieldlineDomain
import Foundation
import PostgresNIO

/// Sending an offer to a subcontractor's dispatch members, and short notes about offers.
///
/// Who receives an offer: every member of the subcontractor with at least one messaging identity
/// (docs/dispatch.md). Each gets it in their conversation that is not closed (one is opened when
/// they have none, as channel posts do), as a `choice` message with the offer's Accept / Decline
/// choices, queued through the outbox in the broadcast's transaction.
enum OfferDelivery {
    /// Of `organizationIDs`, those with at least one member an offer can reach.
    static func reachable(_ organizationIDs: [UUID], _ transaction: TenantTransaction) async throws -> Set<UUID> {
        Set(try await transaction.query("""
            SELECT DISTINCT m.organization_id FROM members m
            WHERE m.tenant_id = \(transaction.tenantID) AND m.organization_id = ANY(\(organizationIDs)::uuid[])
              AND EXISTS (SELECT 1 FROM member_identities i WHERE i.tenant_id = m.tenant_id AND i.member_id = m.id)
            """
        ).collect { try $0.decode(UUID.self) })
    }

    /// Sends the offer `offerID` (already inserted) of `job` to the members of `organizationID`.
    static func send(
        _ offerID: UUID, job: OfferedJob, to organizationID: UUID, authorUserID: UUID?, _ transaction: TenantTransaction
    ) async throws {
        let tenantID = transaction.tenantID
        let members = try await transaction.query("""
            SELECT m.id FROM members m
            WHERE m.tenant_id = \(tenantID) AND m.organization_id = \(organizationID)
              AND EXISTS (SELECT 1 FROM member_identities i WHERE i.tenant_id = m.tenant_id AND i.member_id = m.id)
            ORDER BY m.id
            """
        ).collect { try $0.decode(UUID.self) }
        // Opened the way ingest opens a batch's conversations (same statement, member order).
        let opened = members.isEmpty ? [] : try await transaction.rows(
            OpenConversationsStatement(tenantID: tenantID, conversationIDs: members.map { _ in UUIDv7.make() }, memberIDs: members))
        let content = ReplyContent(text: job.offerText, choices: OfferChoice.choices(offerID, orderNumber: job.orderNumber))
        let sent = try await transaction.query("""
            WITH targets AS (
                SELECT c.id AS conversation_id, c.member_id FROM conversations c
                WHERE c.tenant_id = \(tenantID) AND c.member_id = ANY(\(members)::uuid[]) AND c.status <> 'closed'
            ), sent AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, author_user_id, delivery_status)
                SELECT \(tenantID), uuid_v7(), targets.conversation_id, 'outbound', 'choice', \(content.text), \(ReplyPayload(content).json)::jsonb, \(authorUserID), 'queued' FROM targets
                RETURNING tenant_id, id, conversation_id
            ), recipients AS (
                INSERT INTO offer_recipients (tenant_id, offer_id, member_id, conversation_id, message_id)
                SELECT \(tenantID), \(offerID), targets.member_id, sent.conversation_id, sent.id
                FROM sent JOIN targets ON targets.conversation_id = sent.conversation_id
            ), queued AS (
                \(unescaped: queueSent)
            )
            SELECT id, conversation_id FROM sent
            """
        ).collect { try $0.decode((UUID, UUID).self) }
        transaction.stream(
            opened.map { NewStreamEvent(kind: .conversationOpened, conversationID: $0.0, data: ["member_id": .id($0.1)]) }
            + sent.map { NewStreamEvent.messageCreated($0.0, in: $0.1, direction: .outbound, kind: .choice) })
    }

    /// Queues the `sent` CTE's messages for sending.
    static let queueSent = OutboxSQL.insert(
        SendMessage.self, tenant: "tenant_id", payload: ["message_id": "id", "conversation_id": "conversation_id"], from: "sent")
}
