import FieldlineDomain
import Foundation
import PostgresNIO

/// Closing open offers of a job without an answer — withdrawn (another one won, the agent
/// withdrew them, the job left `offered`) or expired (their time ran out) — and telling their
/// recipients. Runs under the job's row lock.
enum OfferWithdrawal {
    /// Which open offers of the job to close.
    struct Selection: Sendable {
        /// Every open offer but this one.
        var keeping: UUID? = nil
        /// Only this offer.
        var only: UUID? = nil
        /// Only offers whose `expires_at` has passed.
        var dueOnly = false
        /// Close these subcontractors' offers without a message (a re-broadcast offers them anew).
        var silentFor: [UUID] = []
    }

    /// Withdraws every open offer of the job `orderNumber` but `offerID` (all when nil) and tells their recipients `text`.
    static func withdraw(
        of jobID: UUID, orderNumber: String, keeping offerID: UUID?, telling text: String, _ transaction: TenantTransaction
    ) async throws {
        _ = try await close(of: jobID, Selection(keeping: offerID), as: "withdrawn", telling: text, orderNumber: orderNumber, transaction)
    }

    /// Closes the selected open offers as `status` (`withdrawn` or `expired`) and queues `text` as a
    /// system message to each of their recipients, in their conversation that is not closed (none
    /// is opened for it: ingest may hold a new one for that member, and waiting for it here, while
    /// holding the job, could deadlock). Each recipient's conversation gets an `offer.withdrawn` or
    /// `offer.expired` event (when `orderNumber` is given) and the notices' `message.created`.
    /// Returns the closed offers' ids.
    @discardableResult
    static func close(
        of jobID: UUID, _ selection: Selection, as status: String, telling text: String, orderNumber: String?,
        _ transaction: TenantTransaction
    ) async throws -> [UUID] {
        let tenantID = transaction.tenantID
        let rows = try await transaction.query("""
            WITH closed AS (
                UPDATE offers SET status = \(status), updated_at = now()
                WHERE tenant_id = \(tenantID) AND job_id = \(jobID) AND status IN ('sent', 'delivered', 'read')
                  AND (\(selection.keeping)::uuid IS NULL OR id <> \(selection.keeping))
                  AND (\(selection.only)::uuid IS NULL OR id = \(selection.only))
                  AND (NOT \(selection.dueOnly) OR expires_at <= now())
                RETURNING id, organization_id
            ), recipients AS (
                SELECT closed.id AS offer_id, closed.organization_id, r.member_id, r.conversation_id,
                       NOT (closed.organization_id = ANY(\(selection.silentFor)::uuid[])) AS tell
                FROM closed JOIN offer_recipients r ON r.tenant_id = \(tenantID) AND r.offer_id = closed.id
            ), targets AS (
                SELECT DISTINCT c.id AS conversation_id FROM recipients
                JOIN conversations c ON c.tenant_id = \(tenantID) AND c.member_id = recipients.member_id AND c.status <> 'closed'
                WHERE recipients.tell
            ), sent AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, delivery_status)
                SELECT \(tenantID), uuid_v7(), targets.conversation_id, 'outbound', 'system', \(text), 'queued'
                FROM targets ORDER BY targets.conversation_id
                RETURNING tenant_id, id, conversation_id
            ), queued AS (
                \(unescaped: OfferDelivery.queueSent)
            )
            SELECT closed.id, closed.organization_id, NULL::uuid, NULL::uuid FROM closed
            UNION ALL SELECT recipients.offer_id, recipients.organization_id, recipients.conversation_id, NULL::uuid FROM recipients
            UNION ALL SELECT NULL::uuid, NULL::uuid, sent.conversation_id, sent.id FROM sent
            """
        ).collect { try $0.decode((UUID?, UUID?, UUID?, UUID?).self) }
        var closed: [UUID] = []
        var events: [NewStreamEvent] = []
        let kind: StreamEventKind = status == "expired" ? .offerExpired : .offerWithdrawn
        for (offerID, organizationID, conversationID, messageID) in rows {
            switch (offerID, conversationID, messageID) {
            case let (offerID?, nil, _):
                closed.append(offerID)
            case let (offerID?, conversationID?, _):
                if let orderNumber {
                    events.append(NewStreamEvent(kind: kind, conversationID: conversationID, data: [
                        "job_id": .id(jobID), "order_number": .string(orderNumber), "offer_id": .id(offerID),
                        "organization_id": .id(organizationID),
                    ]))
                }
            case let (nil, conversationID?, messageID?):
                events.append(.messageCreated(messageID, in: conversationID, direction: .outbound, kind: .system))
            default:
                break
            }
        }
        transaction.stream(events)
        return closed
    }
}
