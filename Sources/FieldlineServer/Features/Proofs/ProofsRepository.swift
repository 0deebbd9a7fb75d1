import FieldlineDomain
import Foundation

/// Storage of proofs of service. A proof is visible to whoever sees its job (`\(visibleJobs:)` in `Access/`);
/// the messages and media a proof is made from must be ones the recording viewer can see.
protocol ProofsRepository: Sendable {
    /// Records a proof for a job; nil when the job is unknown or not visible. 409 when the job is not (or no
    /// longer) one that takes proofs, 422 for messages or media that do not qualify.
    func record(_ proof: NewProof, forJob jobID: UUID, submittedBy: String, viewer: Viewer) async throws -> Proof?
    /// Whether the job is visible to the viewer (false: 404); 409 when it does not take proofs now.
    /// A cheap early refusal before an upload is read; `record` checks again under lock.
    func takesProofs(_ jobID: UUID, viewer: Viewer) async throws -> Bool
    /// 422 unless `memberID` is a member of the job's subcontractor (an app upload's `member_id`),
    /// checked before the upload is committed; `record` checks again under lock.
    func checkMember(_ memberID: UUID, forJob jobID: UUID, viewer: Viewer) async throws
    /// One proof the viewer may see, with its media, or nil.
    func get(_ id: UUID, viewer: Viewer) async throws -> Proof?
    /// Proofs the viewer may see, newest first.
    func list(_ filter: ProofFilter, page: PageRequest, viewer: Viewer) async throws -> [Proof]
    /// Accepts or rejects a submitted proof; nil when unknown or not visible, 409 when already reviewed.
    func review(_ id: UUID, decision: ProofDecision, reason: String?, reviewer: String, viewer: Viewer) async throws -> Proof?
}
