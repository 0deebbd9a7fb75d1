import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/jobs`: service requests with the tenant's order number, their life cycle and their link
/// to a conversation.
struct JobsController: Sendable {
    let repository: any JobsRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("jobs", use: create)
        group.get("jobs", use: list)
        group.get("jobs/{id}", use: get)
        group.patch("jobs/{id}", use: update)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Job> {
        let principal = try context.require(.jobsWrite)
        let body = try await JSONBody.decode(CreateJobRequest.self, from: request, context: context)
        let job = try await repository.create(try body.draft(), createdBy: principal.reference, viewer: Viewer(principal))
        return .created(job, location: "/v1/jobs/\(job.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Job> {
        let principal = try context.require(.jobsRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let filter = JobFilter(
            orderNumber: query.string("order_number"), status: try query.oneOf("status", JobStatus.self),
            organizationID: try query.uuid("organization_id"), crewCode: query.string("crew_code")?.uppercased(),
            conversationID: try query.uuid("conversation_id"),
            updatedSince: try query.date("updated_since"))
        let jobs = try await repository.list(filter, page: page, viewer: Viewer(principal))
        return Page(fetched: jobs, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Job {
        let principal = try context.require(.jobsRead)
        let id = try context.parameters.uuid("id", "job")
        guard let job = try await repository.get(id, viewer: Viewer(principal)) else { throw APIError.notFound("job") }
        return job
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Job {
        let principal = try context.require(.jobsWrite)
        let id = try context.parameters.uuid("id", "job")
        let body = try await JSONBody.decode(UpdateJobRequest.self, from: request, context: context)
        guard let job = try await repository.update(id, changes: body.changes, actor: principal.reference, viewer: Viewer(principal)) else { throw APIError.notFound("job") }
        return job
    }
}
