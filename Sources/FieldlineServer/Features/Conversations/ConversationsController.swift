import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/conversations`: the agent's desk — queues, reading, replying, notes, closing — and
/// `/v1/members/{id}/timeline`, the archive of a member's earlier conversations.
struct ConversationsController: Sendable {
    let repository: any ConversationsRepository

    struct TextRequest: RequestBody {
        let text: String
        enum CodingKeys: String, CodingKey, CaseIterable { case text }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("conversations", use: list)
        group.get("conversations/{id}", use: get)
        group.get("conversations/{id}/messages", use: messages)
        group.post("conversations/{id}/messages", use: reply)
        group.post("conversations/{id}/notes", use: note)
        group.post("conversations/{id}/close", use: close)
        group.get("members/{id}/timeline", use: timeline)
        addAssignmentRoutes(to: group)
        addSnoozeRoutes(to: group)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Conversation> {
        let viewer = Viewer(try context.require(.conversationsRead))
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let queue = try query.oneOf("queue", ConversationQueue.self) ?? .all
        if viewer.userID == nil, queue == .mine || queue == .teams {
            throw APIError.badQuery("queue", "queue=\(queue.rawValue) needs a signed-in user; API keys use all or unassigned")
        }
        let items = try await repository.list(
            queue: queue, status: try query.oneOf("status", ConversationStatus.self), memberID: try query.uuid("member_id"),
            page: page, viewer: viewer)
        return Page(fetched: items, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Conversation {
        let viewer = Viewer(try context.require(.conversationsRead))
        let id = try context.parameters.uuid("id", "conversation")
        guard let conversation = try await repository.get(id, viewer: viewer) else { throw APIError.notFound("conversation") }
        return conversation
    }

    @Sendable func messages(_ request: Request, context: AppRequestContext) async throws -> Page<Message> {
        let viewer = Viewer(try context.require(.conversationsRead))
        let id = try context.parameters.uuid("id", "conversation")
        let page = try PageRequest(QueryParameters(request))
        guard let items = try await repository.messages(of: id, page: page, viewer: viewer) else { throw APIError.notFound("conversation") }
        return Page(fetched: items, limit: page.limit, id: \.id)
    }

    @Sendable func reply(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Message> {
        let viewer = Viewer(try context.require(.conversationsWrite))
        let id = try context.parameters.uuid("id", "conversation")
        let body = try await JSONBody.decode(ReplyRequest.self, from: request, context: context)
        guard let message = try await repository.reply(to: id, content: try body.content(), viewer: viewer) else {
            throw APIError.notFound("conversation")
        }
        return .created(message, location: nil)
    }

    @Sendable func note(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Message> {
        let viewer = Viewer(try context.require(.conversationsWrite))
        let id = try context.parameters.uuid("id", "conversation")
        let body = try await JSONBody.decode(TextRequest.self, from: request, context: context)
        guard let message = try await repository.addNote(to: id, text: try MessageLimits.body(body.text), viewer: viewer) else {
            throw APIError.notFound("conversation")
        }
        return .created(message, location: nil)
    }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Conversation {
        let viewer = Viewer(try context.require(.conversationsWrite))
        let id = try context.parameters.uuid("id", "conversation")
        guard let conversation = try await repository.close(id, viewer: viewer) else { throw APIError.notFound("conversation") }
        return conversation
    }

    @Sendable func timeline(_ request: Request, context: AppRequestContext) async throws -> Page<ArchivedConversation> {
        let principal = try context.require(.conversationsRead)
        let id = try context.parameters.uuid("id", "member")
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        // Jobs and proofs are shown to callers who may read them (every user role; API keys with the scopes).
        let links = TimelineLinkKinds(jobs: principal.permissions.contains(.jobsRead), proofs: principal.permissions.contains(.proofsRead))
        guard let items = try await repository.timeline(of: id, page: page, viewer: Viewer(principal), links: links) else {
            throw APIError.notFound("member")
        }
        return Page(fetched: items, limit: page.limit, id: \.conversation.id)
    }
}
