import FieldlineDomain
import Foundation
import Hummingbird

/// Flow runs over the API (docs/flows.md#runs-over-the-api): `POST /v1/flows/{id}/runs` starts
/// one for a member or in a conversation, `/v1/flow-runs` lists and shows them, and an agent
/// stops a run or resumes a paused one. Runs are seen by whoever sees their conversation.
struct FlowRunsController: Sendable {
    let repository: any FlowRunsRepository

    /// The body of `POST /v1/flows/{id}/runs`.
    struct StartRequest: RequestBody {
        let memberId: UUID?
        let conversationId: UUID?
        let jobId: UUID?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case memberId = "member_id", conversationId = "conversation_id", jobId = "job_id"
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("flows/{id}/runs", use: start)
        group.get("flow-runs", use: list)
        group.get("flow-runs/{id}", use: get)
        group.post("flow-runs/{id}/stop", use: stop)
        group.post("flow-runs/{id}/resume", use: resume)
    }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<FlowRun> {
        let principal = try context.require(.conversationsWrite)
        let flowID = try context.parameters.uuid("id", "flow")
        let body = try await JSONBody.decode(StartRequest.self, from: request, context: context)
        guard body.memberId != nil || body.conversationId != nil else {
            throw ValidationError(field: "member_id", code: "missing_field", message: "give member_id (or conversation_id)")
        }
        let run = try await repository.start(
            flowID: flowID, memberID: body.memberId, conversationID: body.conversationId, jobID: body.jobId,
            startedBy: principal.reference, viewer: Viewer(principal))
        return .created(run, location: "/v1/flow-runs/\(run.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<FlowRun> {
        let principal = try context.require(.conversationsRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let filter = FlowRunFilter(
            flowID: try query.uuid("flow_id"), status: try query.oneOf("status", FlowRunStatus.self), memberID: try query.uuid("member_id"),
            jobID: try query.uuid("job_id"), conversationID: try query.uuid("conversation_id"))
        return Page(fetched: try await repository.list(filter, page: page, viewer: Viewer(principal)), limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> FlowRun {
        let principal = try context.require(.conversationsRead)
        let id = try context.parameters.uuid("id", "flow run")
        guard let run = try await repository.get(id, viewer: Viewer(principal)) else { throw APIError.notFound("flow run") }
        return run
    }

    @Sendable func stop(_ request: Request, context: AppRequestContext) async throws -> FlowRun {
        try await change(.stop, context)
    }

    @Sendable func resume(_ request: Request, context: AppRequestContext) async throws -> FlowRun {
        try await change(.resume, context)
    }

    private func change(_ event: FlowRunEvent, _ context: AppRequestContext) async throws -> FlowRun {
        let principal = try context.require(.conversationsWrite)
        let id = try context.parameters.uuid("id", "flow run")
        guard let run = try await repository.change(id, event, by: principal.reference, viewer: Viewer(principal)) else {
            throw APIError.notFound("flow run")
        }
        return run
    }
}
