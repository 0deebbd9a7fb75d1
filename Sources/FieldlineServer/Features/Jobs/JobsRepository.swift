import FieldlineDomain
import Foundation

/// Storage of jobs. A viewer restricted to an organization sees (and changes) only the jobs of
/// its subtree's subcontractors and those linked to conversations it can see (`\(visibleJobs:)` in `Access/`);
/// linking a job to a conversation respects the viewer's conversation visibility.
protocol JobsRepository: Sendable {
    /// Creates a job; 409 when the order number is taken or the initial status is not one a new
    /// job may have, 422 for references that do not resolve.
    func create(_ draft: JobDraft, createdBy: String, viewer: Viewer) async throws -> Job
    /// One job the viewer may see, or nil.
    func get(_ id: UUID, viewer: Viewer) async throws -> Job?
    /// Jobs the viewer may see, newest first.
    func list(_ filter: JobFilter, page: PageRequest, viewer: Viewer) async throws -> [Job]
    /// Changes fields and/or moves the job through its life cycle; nil when unknown or not visible.
    func update(_ id: UUID, changes: JobChanges, actor: String, viewer: Viewer) async throws -> Job?
}
