import FieldlineDomain
import Foundation
import Hummingbird

/// Assignment, transfer and tags on the agent's desk.
extension ConversationsController {
    struct AssignRequest: RequestBody {
        let assigneeId: FieldUpdate<UUID>
        let teamId: FieldUpdate<UUID>
        enum CodingKeys: String, CodingKey, CaseIterable { case assigneeId = "assignee_id", teamId = "team_id" }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            assigneeId = try container.decodeUpdate(UUID.self, forKey: .assigneeId)
            teamId = try container.decodeUpdate(UUID.self, forKey: .teamId)
        }
    }

    func addAssignmentRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("conversations/{id}/assign", use: assign)
        group.put("conversations/{id}/tags/{tag}", use: addTag)
        group.delete("conversations/{id}/tags/{tag}", use: removeTag)
    }

    /// Assigns or transfers: `assignee_id` and/or `team_id`; `null` clears one; absent leaves it.
    @Sendable func assign(_ request: Request, context: AppRequestContext) async throws -> Conversation {
        let viewer = Viewer(try context.require(.conversationsWrite))
        let id = try context.parameters.uuid("id", "conversation")
        let body = try await JSONBody.decode(AssignRequest.self, from: request, context: context)
        guard body.assigneeId.isSet || body.teamId.isSet else {
            throw ValidationError(field: "assignee_id", code: "missing_field", message: "send assignee_id and/or team_id (null clears one)")
        }
        guard let conversation = try await repository.assign(id, assignee: body.assigneeId, team: body.teamId, viewer: viewer) else {
            throw APIError.notFound("conversation")
        }
        return conversation
    }

    @Sendable func addTag(_ request: Request, context: AppRequestContext) async throws -> Conversation {
        try await setTag(request, context: context, present: true)
    }

    @Sendable func removeTag(_ request: Request, context: AppRequestContext) async throws -> Conversation {
        try await setTag(request, context: context, present: false)
    }

    private func setTag(_ request: Request, context: AppRequestContext, present: Bool) async throws -> Conversation {
        let viewer = Viewer(try context.require(.conversationsWrite))
        let id = try context.parameters.uuid("id", "conversation")
        let raw = context.parameters.get("tag")?.removingPercentEncoding ?? ""
        guard let tag = try Validate.tags([raw], field: "tag").first else {
            throw ValidationError(field: "tag", message: "tag must not be empty")
        }
        guard let conversation = try await repository.setTag(tag, on: id, present: present, viewer: viewer) else {
            throw APIError.notFound("conversation")
        }
        return conversation
    }
}
