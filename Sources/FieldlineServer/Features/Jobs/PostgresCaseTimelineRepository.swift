import FieldlineDomain
import Foundation
import PostgresNIO

/// `CaseTimelineRepository` on PostgreSQL: the job's history (`job_history`, written by
/// triggers), its conversations (its own, its offers', its proofs'), the messages of those about
/// the case, and its proofs, merged in time order. Conversations go through the viewer's
/// conversation visibility; the rest follows the job's.
struct PostgresCaseTimelineRepository: CaseTimelineRepository {
    let database: Database

    /// Most messages one timeline lists (the oldest are kept).
    static let maxMessages = 2000

    func timeline(of reference: CaseReference, viewer: Viewer) async throws -> CaseTimeline? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            guard let job = try await Self.job(reference, viewer: viewer, transaction) else { return nil }
            var entries = try await Self.history(of: job, transaction)
            let (conversations, hidden) = try await Self.conversations(of: job, viewer: viewer, transaction)
            entries += conversations
            entries += try await Self.messages(of: job, in: conversations.compactMap(\.conversationId), transaction)
            entries += try await Self.proofs(of: job, transaction)
            entries += try await Self.restarts(of: job, in: conversations.compactMap(\.conversationId), transaction)
            let ordered = entries.enumerated().sorted { a, b in
                (a.element.at, a.element.sequence, a.offset) < (b.element.at, b.element.sequence, b.offset)
            }.map(\.element)
            return CaseTimeline(job: job, data: ordered, hiddenConversations: hidden)
        }
    }

    /// The job, when the viewer may see it.
    private static func job(_ reference: CaseReference, viewer: Viewer, _ transaction: TenantTransaction) async throws -> CaseJob? {
        let (id, orderNumber): (UUID?, String?) = switch reference {
        case .id(let id): (id, nil)
        case .orderNumber(let number): (nil, number)
        }
        return try await transaction.query("""
            SELECT j.id, j.order_number, j.title, j.status, j.organization_id, j.crew_id, j.conversation_id, j.created_by, j.created_at
            FROM jobs j
            WHERE j.tenant_id = \(transaction.tenantID) AND \(visibleJobs: viewer)
              AND (\(id)::uuid IS NULL OR j.id = \(id)) AND (\(orderNumber)::text IS NULL OR j.order_number = \(orderNumber))
            """
        ).first { row in
            let c = try row.decode((UUID, String, String, String, UUID?, UUID?, UUID?, String, Date).self)
            return CaseJob(id: c.0, orderNumber: c.1, title: c.2, status: c.3, organizationId: c.4, crewId: c.5,
                           conversationId: c.6, createdBy: c.7, createdAt: c.8)
        }
    }

    /// Every status change of the job and its offers, with who made it.
    private static func history(of job: CaseJob, _ transaction: TenantTransaction) async throws -> [CaseTimelineEntry] {
        try await transaction.query("""
            SELECT h.id, h.offer_id, h.from_status, h.to_status, h.organization_id, org.name, h.crew_id, h.actor, h.at, o.round
            FROM job_history h
            LEFT JOIN organizations org ON org.tenant_id = h.tenant_id AND org.id = h.organization_id
            LEFT JOIN offers o ON o.tenant_id = h.tenant_id AND o.id = h.offer_id
            WHERE h.tenant_id = \(transaction.tenantID) AND h.job_id = \(job.id)
            ORDER BY h.id
            """
        ).collect { row in
            let c = try row.decode((Int, UUID?, String?, String, UUID?, String?, UUID?, String, Date, Int?).self)
            let type = switch (c.1, c.2) {
            case (nil, nil): "job.created"
            case (nil, _): "job.status_changed"
            case (_, nil): "offer.sent"
            default: "offer.status_changed"
            }
            return CaseTimelineEntry(
                type: type, at: c.8, actor: c.7, fromStatus: c.2, toStatus: c.3, organizationId: c.4, organizationName: c.5,
                crewId: c.6, offerId: c.1, round: c.9, sequence: c.0)
        }
    }

    /// The case's conversations the viewer may see (opened, and closed when they are), and how
    /// many it may not.
    private static func conversations(
        of job: CaseJob, viewer: Viewer, _ transaction: TenantTransaction
    ) async throws -> (entries: [CaseTimelineEntry], hidden: Int) {
        let tenantID = transaction.tenantID
        let rows = try await transaction.query("""
            WITH involved AS (
                SELECT j.conversation_id AS id FROM jobs j WHERE j.tenant_id = \(tenantID) AND j.id = \(job.id) AND j.conversation_id IS NOT NULL
                UNION SELECT r.conversation_id FROM offer_recipients r
                      JOIN offers o ON o.tenant_id = r.tenant_id AND o.id = r.offer_id
                      WHERE r.tenant_id = \(tenantID) AND o.job_id = \(job.id)
                UNION SELECT p.conversation_id FROM proofs p
                      WHERE p.tenant_id = \(tenantID) AND p.job_id = \(job.id) AND p.conversation_id IS NOT NULL
            )
            SELECT c.id, c.member_id, m.name, m.organization_id, org.name, c.opened_at, c.closed_at,
                   \(visibleConversations: viewer)
            FROM involved JOIN conversations c ON c.tenant_id = \(tenantID) AND c.id = involved.id
            JOIN members m ON m.tenant_id = c.tenant_id AND m.id = c.member_id
            LEFT JOIN organizations org ON org.tenant_id = m.tenant_id AND org.id = m.organization_id
            ORDER BY c.id
            """
        ).collect { try $0.decode((UUID, UUID, String, UUID?, String?, Date, Date?, Bool).self) }
        var entries: [CaseTimelineEntry] = []
        for (id, memberID, memberName, organizationID, organizationName, openedAt, closedAt, visible) in rows where visible {
            let opened = CaseTimelineEntry(
                type: "conversation.opened", at: openedAt, organizationId: organizationID, organizationName: organizationName,
                conversationId: id, memberId: memberID, memberName: memberName)
            entries.append(opened)
            if let closedAt {
                let closed = CaseTimelineEntry(
                    type: "conversation.closed", at: closedAt, organizationId: organizationID, organizationName: organizationName,
                    conversationId: id, memberId: memberID, memberName: memberName)
                entries.append(closed)
            }
        }
        return (entries, rows.filter { !$0.7 }.count)
    }

    /// The messages about the case in its visible conversations: all of the job's own
    /// conversation, and in the others the offers, the answers to them, the notices naming
    /// the order number, and the winner's "Job done" message and its press.
    private static func messages(of job: CaseJob, in conversationIDs: [UUID], _ transaction: TenantTransaction) async throws -> [CaseTimelineEntry] {
        guard !conversationIDs.isEmpty else { return [] }
        let tenantID = transaction.tenantID
        return try await transaction.query("""
            WITH job_offers AS (
                SELECT o.id FROM offers o WHERE o.tenant_id = \(tenantID) AND o.job_id = \(job.id)
            )
            SELECT msg.id, msg.conversation_id, msg.direction, msg.kind, msg.body, msg.delivery_status, msg.author_user_id,
                   c.member_id, msg.created_at
            FROM messages msg
            JOIN conversations c ON c.tenant_id = msg.tenant_id AND c.id = msg.conversation_id
            WHERE msg.tenant_id = \(tenantID) AND msg.conversation_id = ANY(\(Array(Set(conversationIDs)))::uuid[])
              AND (msg.conversation_id = \(job.conversationId)
                   OR msg.id IN (SELECT r.message_id FROM offer_recipients r WHERE r.tenant_id = \(tenantID) AND r.offer_id IN (SELECT id FROM job_offers))
                   OR split_part(msg.payload->>'choice_id', ':', 2) IN (SELECT id::text FROM job_offers)
                   OR msg.payload->>'choice_id' = \(JobDoneChoice.id(job.id))
                   OR msg.payload @> jsonb_build_object('choices', jsonb_build_array(jsonb_build_object('id', \(JobDoneChoice.id(job.id))::text)))
                   OR (msg.kind = 'system' AND strpos(msg.body, \(job.orderNumber)) > 0))
            ORDER BY msg.id
            LIMIT \(maxMessages)
            """
        ).collect { row in
            let c = try row.decode((UUID, UUID, String, String, String?, String?, UUID?, UUID, Date).self)
            let actor: String? = switch c.2 {
            case "inbound": "member:\(c.7.uuidString.lowercased())"
            default: c.6.map { "user:\($0.uuidString.lowercased())" } ?? "system"
            }
            return CaseTimelineEntry(
                type: "message", at: c.8, actor: actor, conversationId: c.1, memberId: c.7, messageId: c.0, direction: c.2,
                kind: c.3, text: c.4, deliveryStatus: c.5)
        }
    }

    /// The crew's flow runs about the job that a rejected proof sent back to their photo step, in
    /// the case's conversations the viewer may see.
    private static func restarts(of job: CaseJob, in conversationIDs: [UUID], _ transaction: TenantTransaction) async throws -> [CaseTimelineEntry] {
        guard !conversationIDs.isEmpty else { return [] }
        return try await transaction.query("""
            SELECT h.run_id, h.step_id, h.status, h.actor, h.created_at, h.proof_id, r.conversation_id, r.member_id
            FROM flow_runs r
            JOIN flow_run_history h ON h.tenant_id = r.tenant_id AND h.run_id = r.id
            WHERE r.tenant_id = \(transaction.tenantID) AND r.job_id = \(job.id) AND h.event = 'restart'
              AND r.conversation_id = ANY(\(Array(Set(conversationIDs)))::uuid[])
            ORDER BY h.id
            """
        ).collect { row in
            let c = try row.decode((UUID, String?, String, String, Date, UUID?, UUID, UUID).self)
            return CaseTimelineEntry(
                type: "flow_run.restarted", at: c.4, actor: c.3, conversationId: c.6, memberId: c.7, proofId: c.5,
                flowRunId: c.0, stepId: c.1, flowRunStatus: c.2)
        }
    }

    /// The job's proofs: submitted, and reviewed when they were.
    private static func proofs(of job: CaseJob, _ transaction: TenantTransaction) async throws -> [CaseTimelineEntry] {
        let rows = try await transaction.query("""
            SELECT p.id, p.conversation_id, p.member_id, p.crew_code, p.review_state, p.submitted_by, p.submitted_at,
                   p.reviewed_by, p.reviewed_at, p.review_reason
            FROM proofs p WHERE p.tenant_id = \(transaction.tenantID) AND p.job_id = \(job.id)
            ORDER BY p.id
            """
        ).collect { try $0.decode((UUID, UUID?, UUID?, String?, String, String, Date, String?, Date?, String?).self) }
        return rows.flatMap { p -> [CaseTimelineEntry] in
            var entries = [CaseTimelineEntry(
                type: "proof.submitted", at: p.6, actor: p.5, conversationId: p.1, memberId: p.2, proofId: p.0, crewCode: p.3)]
            if let reviewedAt = p.8 {
                // The review comes first among what its transaction wrote (the crew's rejection
                // message and the flow's restart have the same instant and follow from it).
                entries.append(CaseTimelineEntry(
                    type: "proof.reviewed", at: reviewedAt, actor: p.7, proofId: p.0, crewCode: p.3, reviewState: p.4, reviewReason: p.9,
                    sequence: -1))
            }
            return entries
        }
    }
}
