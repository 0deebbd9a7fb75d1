import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/teams`: teams and their members (with the `member` or `supervisor` role).
struct TeamsController: Sendable {
    let repository: any TeamsRepository

    struct TeamRequest: RequestBody {
        let name: String
        enum CodingKeys: String, CodingKey, CaseIterable { case name }
    }

    struct MemberRequest: RequestBody {
        let role: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case role }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("teams", use: create)
        group.get("teams", use: list)
        group.get("teams/{id}", use: get)
        group.patch("teams/{id}", use: rename)
        group.delete("teams/{id}", use: delete)
        group.get("teams/{id}/members", use: members)
        group.put("teams/{id}/members/{userId}", use: setMember)
        group.delete("teams/{id}/members/{userId}", use: removeMember)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Team> {
        let principal = try context.require(.usersWrite)
        let body = try await JSONBody.decode(TeamRequest.self, from: request, context: context)
        let team = try await repository.create(name: try Validate.name(body.name, maxLength: 100), tenantID: principal.tenantID)
        return .created(team, location: "/v1/teams/\(team.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Team> {
        let principal = try context.require(.usersRead)
        let page = try PageRequest(QueryParameters(request))
        return Page(fetched: try await repository.list(page: page, tenantID: principal.tenantID), limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Team {
        let principal = try context.require(.usersRead)
        let id = try context.parameters.uuid("id", "team")
        guard let team = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("team") }
        return team
    }

    @Sendable func rename(_ request: Request, context: AppRequestContext) async throws -> Team {
        let principal = try context.require(.usersWrite)
        let id = try context.parameters.uuid("id", "team")
        let body = try await JSONBody.decode(TeamRequest.self, from: request, context: context)
        guard let team = try await repository.rename(id, to: try Validate.name(body.name, maxLength: 100), tenantID: principal.tenantID) else {
            throw APIError.notFound("team")
        }
        return team
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.usersWrite)
        let id = try context.parameters.uuid("id", "team")
        guard try await repository.delete(id, tenantID: principal.tenantID) else { throw APIError.notFound("team") }
        return .noContent
    }

    @Sendable func members(_ request: Request, context: AppRequestContext) async throws -> ItemList<TeamMember> {
        let principal = try context.require(.usersRead)
        let id = try context.parameters.uuid("id", "team")
        guard let members = try await repository.members(of: id, tenantID: principal.tenantID) else { throw APIError.notFound("team") }
        return ItemList(data: members)
    }

    @Sendable func setMember(_ request: Request, context: AppRequestContext) async throws -> TeamMember {
        let principal = try context.require(.usersWrite)
        let id = try context.parameters.uuid("id", "team")
        let userID = try context.parameters.uuid("userId", "user")
        let body = try await JSONBody.decode(MemberRequest.self, from: request, context: context)
        let role = try body.role.map { try TeamRole.parse($0, field: "role") } ?? .member
        guard let member = try await repository.setMember(team: id, user: userID, role: role, tenantID: principal.tenantID) else {
            throw APIError.notFound("team or user")
        }
        return member
    }

    @Sendable func removeMember(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.usersWrite)
        let id = try context.parameters.uuid("id", "team")
        let userID = try context.parameters.uuid("userId", "user")
        guard try await repository.removeMember(team: id, user: userID, tenantID: principal.tenantID) else {
            throw APIError.notFound("team membership")
        }
        return .noContent
    }
}
