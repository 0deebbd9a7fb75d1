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
    /// Of `organizationIDs`, those without a member an offer can reach: usually none, so a round
    /// of 10,000 reads back a few rows rather than 10,000.
    static func unreachable(_ organizationIDs: [UUID], _ transaction: TenantTransaction) async throws -> Set<UUID> {
        let tenantID = transaction.tenantID
        return Set(try await transaction.query("""
            SELECT c.id FROM unnest(\(organizationIDs)::uuid[]) AS c(id)
            WHERE NOT EXISTS (
                SELECT 1 FROM members m
                WHERE m.tenant_id = \(tenantID) AND m.organization_id = c.id
                  AND EXISTS (SELECT 1 FROM member_identities i WHERE i.tenant_id = m.tenant_id AND i.member_id = m.id))
            """
        ).collect { try $0.decode(UUID.self) })
    }

    /// Sends the offers (already inserted), each to the members of its subcontractor, in a
    /// few statements whatever their number: one finds the members, one opens the conversations
    /// they lack, one writes every message with its recipient row and outbox row.
    static func send(
        _ offers: [(id: UUID, organizationID: UUID)], job: OfferedJob, authorUserID: UUID?, _ transaction: TenantTransaction
    ) async throws {
        guard !offers.isEmpty else { return }
        let tenantID = transaction.tenantID
        let members = try await transaction.query("""
            SELECT m.id FROM members m
            WHERE m.tenant_id = \(tenantID) AND m.organization_id = ANY(\(offers.map(\.organizationID))::uuid[])
              AND EXISTS (SELECT 1 FROM member_identities i WHERE i.tenant_id = m.tenant_id AND i.member_id = m.id)
            ORDER BY m.id
            """
        ).collect { try $0.decode(UUID.self) }
        // Opened the way ingest opens a batch's conversations (same statement, member order).
        let opened = members.isEmpty ? [] : try await transaction.rows(
            OpenConversationsStatement(tenantID: tenantID, conversationIDs: members.map { _ in UUIDv7.make() }, memberIDs: members))
        let text = job.offerText
        let payloads = offers.map { job.offerPayload($0.id).json }
        let sent = try await transaction.query("""
            WITH offered AS (
                SELECT * FROM unnest(\(offers.map(\.id))::uuid[], \(offers.map(\.organizationID))::uuid[], \(payloads)::text[])
                    AS o(offer_id, organization_id, payload)
            ), targets AS (
                SELECT c.id AS conversation_id, c.member_id, offered.offer_id, offered.payload FROM offered
                JOIN members m ON m.tenant_id = \(tenantID) AND m.organization_id = offered.organization_id AND m.id = ANY(\(members)::uuid[])
                JOIN conversations c ON c.tenant_id = \(tenantID) AND c.member_id = m.id AND c.status <> 'closed'
            ), sent AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, author_user_id, delivery_status)
                SELECT \(tenantID), uuid_v7(), targets.conversation_id, 'outbound', 'choice', \(text), targets.payload::jsonb,
                       \(authorUserID), 'queued'
                FROM targets ORDER BY targets.conversation_id
                RETURNING tenant_id, id, conversation_id
            ), recipients AS (
                INSERT INTO offer_recipients (tenant_id, offer_id, member_id, conversation_id, message_id)
                SELECT \(tenantID), targets.offer_id, targets.member_id, sent.conversation_id, sent.id
                FROM sent JOIN targets ON targets.conversation_id = sent.conversation_id\(unescaped: CitusWrites.returning("offer_id"))
            ), queued AS (
                \(unescaped: queueSent)
            )
            SELECT id, conversation_id FROM sent
            """
        ).collect { try $0.decode((UUID, UUID).self) }
        try await BusinessEvents.recordConversationsOpened(
            opened.map(\.0), on: transaction.connection, tenantID: tenantID, logger: transaction.logger)
        transaction.stream(
            opened.map { NewStreamEvent(kind: .conversationOpened, conversationID: $0.0, data: ["member_id": .id($0.1)]) }
            + sent.map { NewStreamEvent.messageCreated($0.0, in: $0.1, direction: .outbound, kind: .choice) })
    }

    /// Queues the `sent` CTE's messages for sending.
    static let queueSent = OutboxSQL.insert(
        SendMessage.self, tenant: "tenant_id", payload: ["message_id": "id", "conversation_id": "conversation_id"], from: "sent")
}
