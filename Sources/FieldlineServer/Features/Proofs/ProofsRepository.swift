import FieldlineDomain
import Foundation

/// Storage of proofs of service. Like jobs, proofs are tenant-wide business records; the
/// messages and media a proof is made from must be ones the recording viewer can see.
protocol ProofsRepository: Sendable {
    /// Records a proof for a job; nil when the job is unknown. 409 when the job is not (or no
    /// longer) one that takes proofs, 422 for messages or media that do not qualify.
    func record(_ proof: NewProof, forJob jobID: UUID, submittedBy: String, viewer: Viewer) async throws -> Proof?
    /// One proof with its media, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> Proof?
    /// Proofs, newest first.
    func list(_ filter: ProofFilter, page: PageRequest, tenantID: UUID) async throws -> [Proof]
    /// Accepts or rejects a submitted proof; nil when unknown, 409 when already reviewed.
    func review(_ id: UUID, decision: ProofDecision, reason: String?, reviewer: String, tenantID: UUID) async throws -> Proof?
}
