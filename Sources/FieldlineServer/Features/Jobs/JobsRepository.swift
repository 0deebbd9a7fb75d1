import FieldlineDomain
import Foundation

/// Storage of jobs. Jobs are the tenant's business records: everyone with `jobs:read` sees all
/// of them; only linking one to a conversation respects the viewer's conversation visibility.
protocol JobsRepository: Sendable {
    /// Creates a job; 409 when the order number is taken or the initial status is not one a new
    /// job may have, 422 for references that do not resolve.
    func create(_ draft: JobDraft, createdBy: String, viewer: Viewer) async throws -> Job
    /// One job, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> Job?
    /// Jobs, newest first.
    func list(_ filter: JobFilter, page: PageRequest, tenantID: UUID) async throws -> [Job]
    /// Changes fields and/or moves the job through its life cycle; nil when unknown.
    func update(_ id: UUID, changes: JobChanges, viewer: Viewer) async throws -> Job?
}
