import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/crews`: subcontractors' crews, their codes and members.
struct CrewsController: Sendable {
    let repository: any CrewsRepository

    struct CreateRequest: RequestBody {
        let organizationId: UUID
        let name: String
        let crewCode: String
        let memberIds: [UUID]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case organizationId = "organization_id", name, crewCode = "crew_code", memberIds = "member_ids"
        }
    }

    struct UpdateRequest: RequestBody {
        let name: String?
        let crewCode: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, crewCode = "crew_code" }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("crews", use: create)
        group.get("crews", use: list)
        group.get("crews/{id}", use: get)
        group.patch("crews/{id}", use: update)
        group.delete("crews/{id}", use: delete)
        group.put("crews/{id}/members/{memberId}", use: addMember)
        group.delete("crews/{id}/members/{memberId}", use: removeMember)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Crew> {
        let principal = try context.require(.networkWrite)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let crew = try await repository.create(
            organizationID: body.organizationId, name: try Validate.name(body.name),
            crewCode: try CrewCode.normalize(body.crewCode), memberIDs: Array(Set(body.memberIds ?? [])),
            tenantID: principal.tenantID)
        return .created(crew, location: "/v1/crews/\(crew.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Crew> {
        let principal = try context.require(.networkRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let crews = try await repository.list(
            organizationID: try query.uuid("organization_id"), crewCode: query.string("crew_code")?.uppercased(),
            page: page, tenantID: principal.tenantID)
        return Page(fetched: crews, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Crew {
        let principal = try context.require(.networkRead)
        let id = try context.parameters.uuid("id", "crew")
        guard let crew = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("crew") }
        return crew
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Crew {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "crew")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        guard let crew = try await repository.update(
            id, name: try body.name.map { try Validate.name($0) }, crewCode: try body.crewCode.map { try CrewCode.normalize($0) },
            tenantID: principal.tenantID)
        else { throw APIError.notFound("crew") }
        return crew
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "crew")
        guard try await repository.delete(id, tenantID: principal.tenantID) else { throw APIError.notFound("crew") }
        return .noContent
    }

    @Sendable func addMember(_ request: Request, context: AppRequestContext) async throws -> Crew {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "crew")
        let memberID = try context.parameters.uuid("memberId", "member")
        guard let crew = try await repository.addMember(memberID, to: id, tenantID: principal.tenantID) else {
            throw APIError.notFound("crew, or member of the crew's organization")
        }
        return crew
    }

    @Sendable func removeMember(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "crew")
        let memberID = try context.parameters.uuid("memberId", "member")
        guard try await repository.removeMember(memberID, from: id, tenantID: principal.tenantID) else {
            throw APIError.notFound("crew membership")
        }
        return .noContent
    }
}
