import FieldlineDomain
import Foundation
import Hummingbird

/// Snoozing on the agent's desk.
extension ConversationsController {
    struct SnoozeRequest: RequestBody {
        let until: String
        enum CodingKeys: String, CodingKey, CaseIterable { case until }
    }

    /// Longest snooze accepted.
    static let maxSnooze: TimeInterval = 90 * 24 * 3600

    func addSnoozeRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("conversations/{id}/snooze", use: snooze)
        group.delete("conversations/{id}/snooze", use: wake)
    }

    /// Sets the conversation aside (`pending`) until `until`, or until the member writes.
    @Sendable func snooze(_ request: Request, context: AppRequestContext) async throws -> Conversation {
        let viewer = Viewer(try context.require(.conversationsWrite))
        let id = try context.parameters.uuid("id", "conversation")
        let body = try await JSONBody.decode(SnoozeRequest.self, from: request, context: context)
        guard let until = RFC3339.parse(body.until) else {
            throw ValidationError(field: "until", message: "until must be an RFC 3339 time, e.g. 2026-01-31T09:00:00Z")
        }
        let now = Date()
        guard until > now, until.timeIntervalSince(now) <= Self.maxSnooze else {
            throw ValidationError(field: "until", code: "out_of_range", message: "until must be in the future and at most 90 days ahead")
        }
        guard let conversation = try await repository.snooze(id, until: until, viewer: viewer) else { throw APIError.notFound("conversation") }
        return conversation
    }

    /// Ends a snooze now (the conversation is `open` again).
    @Sendable func wake(_ request: Request, context: AppRequestContext) async throws -> Conversation {
        let viewer = Viewer(try context.require(.conversationsWrite))
        let id = try context.parameters.uuid("id", "conversation")
        guard let conversation = try await repository.wake(id, viewer: viewer) else { throw APIError.notFound("conversation") }
        return conversation
    }
}
