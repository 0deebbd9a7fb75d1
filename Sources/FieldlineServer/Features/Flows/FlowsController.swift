import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/flows`: bot flows and their versions (docs/flows.md). Definitions are validated as a
/// whole when saved; a problem is a 422 naming the step and field
/// (`definition.steps.confirm.choices[1].next`). Publishing a version never changes runs under way.
struct FlowsController: Sendable {
    let repository: any FlowsRepository

    /// The body of `POST /v1/flows`.
    struct CreateRequest: RequestBody {
        let name: String
        let enabled: Bool?
        let triggers: [FlowTrigger]?
        let definition: FlowDefinition
        enum CodingKeys: String, CodingKey, CaseIterable { case name, enabled, triggers, definition }
    }

    /// The body of `POST /v1/flows/{id}/versions`.
    struct PublishRequest: RequestBody {
        let name: String?
        let enabled: Bool?
        let triggers: [FlowTrigger]?
        let definition: FlowDefinition
        enum CodingKeys: String, CodingKey, CaseIterable { case name, enabled, triggers, definition }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("flows", use: create)
        group.get("flows", use: list)
        group.get("flows/{id}", use: get)
        group.post("flows/{id}/versions", use: publish)
        group.get("flows/{id}/versions/{version}", use: version)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Flow> {
        let principal = try context.require(.routingManage)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let draft = try Self.draft(name: body.name, enabled: body.enabled, triggers: body.triggers ?? [], definition: body.definition)
        let flow = try await repository.create(draft, createdBy: principal.reference, tenantID: principal.tenantID)
        return .created(flow, location: "/v1/flows/\(flow.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Flow> {
        let principal = try context.require(.conversationsRead)
        let page = try PageRequest(QueryParameters(request))
        return Page(fetched: try await repository.list(page: page, tenantID: principal.tenantID), limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Flow {
        let principal = try context.require(.conversationsRead)
        let id = try context.parameters.uuid("id", "flow")
        guard let flow = try await repository.get(id, version: nil, tenantID: principal.tenantID) else { throw APIError.notFound("flow") }
        return flow
    }

    @Sendable func publish(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Flow> {
        let principal = try context.require(.routingManage)
        let id = try context.parameters.uuid("id", "flow")
        let body = try await JSONBody.decode(PublishRequest.self, from: request, context: context)
        let draft = try Self.draft(name: body.name, enabled: body.enabled, triggers: body.triggers, definition: body.definition)
        guard let flow = try await repository.publish(id, draft, createdBy: principal.reference, tenantID: principal.tenantID) else {
            throw APIError.notFound("flow")
        }
        return .created(flow, location: "/v1/flows/\(flow.id.uuidString.lowercased())/versions/\(flow.version)")
    }

    @Sendable func version(_ request: Request, context: AppRequestContext) async throws -> Flow {
        let principal = try context.require(.conversationsRead)
        let id = try context.parameters.uuid("id", "flow")
        guard let number = context.parameters.get("version").flatMap({ Int($0) }), number >= 1,
              let flow = try await repository.get(id, version: number, tenantID: principal.tenantID)
        else { throw APIError.notFound("flow version") }
        return flow
    }

    /// A validated draft: the definition checked as a whole (errors under `definition.`), the
    /// triggers against it.
    static func draft(name: String?, enabled: Bool?, triggers: [FlowTrigger]?, definition: FlowDefinition) throws -> FlowDraft {
        let name = try name.map { try Validate.name($0, maxLength: 100) }
        if let problem = FlowValidator.problems(definition).first {
            let more = FlowValidator.problems(definition).count - 1
            throw ValidationError(
                field: problem.field.map { "definition.\($0)" } ?? "definition", code: problem.code,
                message: problem.message + (more > 0 ? " (and \(more) more problem\(more == 1 ? "" : "s"))" : ""))
        }
        return FlowDraft(name: name, enabled: enabled, triggers: try triggers.map { try FlowTrigger.validate($0, for: definition) }, definition: definition)
    }
}
