import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/teams/{id}/routing`, `/v1/teams/{id}/queue` and `/v1/users/{id}/availability`: how
/// teams take routed work, who waits, and which agents are taking work.
struct TeamRoutingController: Sendable {
    let repository: any RoutingRepository

    struct TeamRoutingRequest: RequestBody {
        let assignmentStrategy: String?
        let timeZone: String?
        let businessHours: [BusinessHours.Interval]?
        let expectedHandleMinutes: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case assignmentStrategy = "assignment_strategy", timeZone = "time_zone", businessHours = "business_hours"
            case expectedHandleMinutes = "expected_handle_minutes"
        }
    }

    struct AvailabilityRequest: RequestBody {
        let availability: String?
        let maxOpenConversations: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case availability, maxOpenConversations = "max_open_conversations"
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("teams/{id}/routing", use: getTeamRouting)
        group.put("teams/{id}/routing", use: putTeamRouting)
        group.get("teams/{id}/queue", use: queue)
        group.get("users/{id}/availability", use: getAvailability)
        group.put("users/{id}/availability", use: putAvailability)
    }

    @Sendable func getTeamRouting(_ request: Request, context: AppRequestContext) async throws -> TeamRouting {
        let principal = try context.require(.usersRead)
        let id = try context.parameters.uuid("id", "team")
        guard let routing = try await repository.teamRouting(id, tenantID: principal.tenantID) else { throw APIError.notFound("team") }
        return routing
    }

    /// Replaces the team's routing; left-out fields take their defaults (round-robin, UTC,
    /// always open, 10 minutes).
    @Sendable func putTeamRouting(_ request: Request, context: AppRequestContext) async throws -> TeamRouting {
        let principal = try context.require(.routingManage)
        let id = try context.parameters.uuid("id", "team")
        let body = try await JSONBody.decode(TeamRoutingRequest.self, from: request, context: context)
        let strategy = try body.assignmentStrategy.map { raw in
            guard let strategy = AssignmentStrategy(rawValue: raw) else {
                throw ValidationError(field: "assignment_strategy", message: "assignment_strategy is round_robin or least_busy")
            }
            return strategy
        } ?? .roundRobin
        let handle = body.expectedHandleMinutes ?? 10
        guard (1...1440).contains(handle) else {
            throw ValidationError(field: "expected_handle_minutes", code: "out_of_range", message: "expected_handle_minutes must be 1 to 1440")
        }
        let input = TeamRoutingInput(
            strategy: strategy, timeZone: try BusinessHours.timeZone(body.timeZone ?? "UTC"),
            hours: try body.businessHours.map { try BusinessHours(validating: $0) }, expectedHandleMinutes: handle)
        guard let routing = try await repository.setTeamRouting(id, to: input, tenantID: principal.tenantID) else {
            throw APIError.notFound("team")
        }
        return routing
    }

    @Sendable func queue(_ request: Request, context: AppRequestContext) async throws -> ItemList<QueueEntry> {
        let viewer = Viewer(try context.require(.conversationsRead))
        let id = try context.parameters.uuid("id", "team")
        guard let entries = try await repository.queue(of: id, viewer: viewer) else { throw APIError.notFound("team") }
        return ItemList(data: entries)
    }

    @Sendable func getAvailability(_ request: Request, context: AppRequestContext) async throws -> AgentAvailability {
        let principal = try context.require(.usersRead)
        let id = try context.parameters.uuid("id", "user")
        guard let availability = try await repository.availability(of: id, tenantID: principal.tenantID) else {
            throw APIError.notFound("user")
        }
        return availability
    }

    /// Agents set their own `availability`; changing someone else's, or a capacity, takes users:write.
    @Sendable func putAvailability(_ request: Request, context: AppRequestContext) async throws -> AgentAvailability {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.uuid("id", "user")
        let isSelf = principal.userID == id
        if !isSelf { _ = try context.require(.usersWrite) }
        let body = try await JSONBody.decode(AvailabilityRequest.self, from: request, context: context)
        if body.maxOpenConversations != nil { _ = try context.require(.usersWrite) }
        let online: Bool? = try body.availability.map { raw in
            guard raw == "online" || raw == "offline" else {
                throw ValidationError(field: "availability", message: "availability is online or offline")
            }
            return raw == "online"
        }
        if let capacity = body.maxOpenConversations, !(1...1000).contains(capacity) {
            throw ValidationError(field: "max_open_conversations", code: "out_of_range", message: "max_open_conversations must be 1 to 1000")
        }
        guard online != nil || body.maxOpenConversations != nil else {
            throw ValidationError(field: "availability", code: "missing_field", message: "send availability and/or max_open_conversations")
        }
        guard let availability = try await repository.setAvailability(
            of: id, online: online, capacity: body.maxOpenConversations, tenantID: principal.tenantID) else {
            throw APIError.notFound("user")
        }
        return availability
    }
}
