import FieldlineDomain
import Foundation
import PostgresNIO

/// What a rejected proof did to the crew's flow run: sent it back to the step that collects the
/// proof's photos (`flow_restart` on the review's answer).
struct ProofFlowRestart: Encodable, Sendable, Equatable {
    let flowRunId: UUID
    let stepId: String
    /// `waiting` (the step was asked again) or `paused` (an agent has the conversation: the run
    /// asks once resumed).
    let status: String
}

/// A rejection restarts the photo step of the crew's flow run, so their next photos become a new
/// proof of the same job (docs/jobs-and-proofs.md#when-a-proof-is-rejected). The run is, in this
/// order: the run under way (waiting or paused) in the proof's conversation, when it is about the
/// proof's job; else the run that attached the proof (`submitted_by` `flow_run:<id>`), when it is
/// over and its flow is still enabled. Nothing restarts when the conversation is closed, the job
/// no longer takes proofs, a run about something else is under way, or the run's flow version
/// collects no photos for a proof.
struct FlowRejectionRestart: Sendable {
    let database: Database

    /// Restarts the run for the rejected `proof`, in the review's transaction; nil (and no
    /// events) when no run qualifies.
    func restart(after proof: Proof, by reviewer: String, _ transaction: TenantTransaction) async throws -> (ProofFlowRestart, [NewStreamEvent])? {
        guard let conversationID = proof.conversationId else { return nil }
        let tenantID = transaction.tenantID
        // The conversation first, then the run: the order the inbound pipeline locks them in.
        let conversationStatus = try await transaction.query(
            "SELECT status FROM conversations WHERE tenant_id = \(tenantID) AND id = \(conversationID) FOR NO KEY UPDATE"
        ).first { try $0.decode(String.self) }
        guard let conversationStatus, conversationStatus != "closed" else { return nil }
        let jobStatus = try await transaction.query(
            "SELECT status FROM jobs WHERE tenant_id = \(tenantID) AND id = \(proof.jobId)"
        ).first { try $0.decode(String.self) }
        guard let jobStatus, JobStatus(rawValue: jobStatus)?.acceptsProofs == true else { return nil }
        guard var run = try await Self.run(for: proof, in: conversationID, transaction) else { return nil }
        guard let step = try await run.definition(transaction).proofPhotoStep else { return nil }
        let events = try await FlowRuntime(database: database).handle(
            .restart(stepID: step), &run, actor: reviewer, proofID: proof.id, transaction)
        guard run.state.stepID == step else { return nil }
        return (ProofFlowRestart(flowRunId: run.id, stepId: step, status: run.state.status.rawValue), events)
    }

    /// The run to restart, locked: the one under way in the conversation (about the proof's job),
    /// else the proof's own run once over.
    private static func run(for proof: Proof, in conversationID: UUID, _ transaction: TenantTransaction) async throws -> FlowRunRecord? {
        let tenantID = transaction.tenantID
        let underWay = try await transaction.query("""
            SELECT \(unescaped: FlowRunRecord.columns) FROM flow_runs r
            WHERE r.tenant_id = \(tenantID) AND r.conversation_id = \(conversationID) AND r.status IN ('waiting', 'paused')
            FOR UPDATE
            """
        ).first(FlowRunRecord.init(row:))
        if let underWay {
            // A run about another job (or none) is left alone: the crew is busy with something else.
            return underWay.jobID == proof.jobId ? underWay : nil
        }
        let prefix = "flow_run:"
        guard proof.submittedBy.hasPrefix(prefix), let id = UUID(uuidString: String(proof.submittedBy.dropFirst(prefix.count))) else {
            return nil
        }
        guard let own = try await FlowRunRecord.lock(id, transaction), own.conversationID == conversationID, own.jobID == proof.jobId,
              own.state.status.isOver
        else { return nil }
        let enabled = try await transaction.query(
            "SELECT enabled FROM flows WHERE tenant_id = \(tenantID) AND id = \(own.flowID)"
        ).first { try $0.decode(Bool.self) }
        return enabled == true ? own : nil
    }
}
