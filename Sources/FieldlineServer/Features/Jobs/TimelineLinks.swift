import FieldlineDomain
import Foundation
import PostgresNIO

/// The jobs and proofs linked to a page of conversations, for the member's timeline: one
/// statement each for the whole page, never one per conversation, each within the viewer's
/// job visibility (a proof follows its job, which may be linked to another conversation).
enum TimelineLinks {
    /// Jobs linked to any of the conversations that the viewer may see, oldest first.
    static func jobs(of conversationIDs: [UUID], viewer: Viewer, _ connection: PostgresConnection, logger: Logger) async throws -> [UUID: [JobSummary]] {
        guard !conversationIDs.isEmpty else { return [:] }
        let jobs = try await connection.query("""
            SELECT j.id, j.order_number, j.title, j.status, j.conversation_id FROM jobs j
            WHERE j.tenant_id = \(viewer.tenantID) AND j.conversation_id = ANY(\(conversationIDs)) AND \(visibleJobs: viewer)
            ORDER BY j.id
            """, logger: logger
        ).collect { row in
            let (id, orderNumber, title, status, conversationID) = try row.decode((UUID, String, String, String, UUID).self)
            return JobSummary(id: id, orderNumber: orderNumber, title: title, status: JobStatus(rawValue: status) ?? .open, conversationId: conversationID)
        }
        return Dictionary(grouping: jobs, by: \.conversationId)
    }

    /// Proofs that came from any of the conversations and whose job the viewer may see, oldest first.
    static func proofs(of conversationIDs: [UUID], viewer: Viewer, _ connection: PostgresConnection, logger: Logger) async throws -> [UUID: [ProofSummary]] {
        guard !conversationIDs.isEmpty else { return [:] }
        let proofs = try await connection.query(proofsQuery(of: conversationIDs, viewer: viewer), logger: logger).collect { row in
            let (id, jobID, orderNumber, crewCode, reviewState, mediaCount, submittedAt, conversationID) =
                try row.decode((UUID, UUID, String, String?, String, Int, Date, UUID).self)
            return ProofSummary(
                id: id, jobId: jobID, orderNumber: orderNumber, crewCode: crewCode,
                reviewState: ProofReviewState(rawValue: reviewState) ?? .submitted, mediaCount: mediaCount,
                submittedAt: submittedAt, conversationId: conversationID)
        }
        return Dictionary(grouping: proofs, by: \.conversationId)
    }

    /// The statement of `proofs(of:viewer:)`.
    static func proofsQuery(of conversationIDs: [UUID], viewer: Viewer) -> PostgresQuery {
        """
        SELECT p.id, p.job_id, j.order_number, p.crew_code, p.review_state,
               (SELECT count(*)::int FROM proof_media pm WHERE pm.tenant_id = p.tenant_id\(citusTenant: "pm", viewer.tenantID) AND pm.proof_id = p.id),
               p.submitted_at, p.conversation_id
        FROM proofs p JOIN jobs j ON j.tenant_id = p.tenant_id AND j.id = p.job_id
        WHERE p.tenant_id = \(viewer.tenantID) AND p.conversation_id = ANY(\(conversationIDs)) AND \(visibleJobs: viewer)
        ORDER BY p.id
        """
    }
}
