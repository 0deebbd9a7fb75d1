import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/members`: people in organizations and the messaging identities that reach them.
struct MembersController: Sendable {
    let repository: any MembersRepository

    struct IdentityRequest: RequestBody {
        let kind: String
        let externalId: String
        enum CodingKeys: String, CodingKey, CaseIterable { case kind, externalId = "external_id" }

        func validated(field: String = "external_id") throws -> NewIdentity {
            let kind = try IdentityKind.parse(self.kind, field: "kind")
            return NewIdentity(kind: kind, externalID: try kind.normalize(externalID: externalId, field: field))
        }
    }

    struct CreateRequest: RequestBody {
        let organizationId: UUID
        let name: String
        let phone: String?
        let email: String?
        let title: String?
        let identities: [IdentityRequest]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case organizationId = "organization_id", name, phone, email, title, identities
        }
    }

    struct UpdateRequest: RequestBody {
        let organizationId: UUID?
        let name: String?
        let phone: FieldUpdate<String>
        let email: FieldUpdate<String>
        let title: FieldUpdate<String>
        enum CodingKeys: String, CodingKey, CaseIterable {
            case organizationId = "organization_id", name, phone, email, title
        }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            organizationId = try container.decodeIfPresent(UUID.self, forKey: .organizationId)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            phone = try container.decodeUpdate(String.self, forKey: .phone)
            email = try container.decodeUpdate(String.self, forKey: .email)
            title = try container.decodeUpdate(String.self, forKey: .title)
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("members", use: create)
        group.get("members", use: list)
        group.get("members/{id}", use: get)
        group.patch("members/{id}", use: update)
        group.delete("members/{id}", use: delete)
        group.post("members/{id}/identities", use: addIdentity)
        group.delete("members/{id}/identities/{identityId}", use: removeIdentity)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Member> {
        let principal = try context.require(.networkWrite)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let identities = try (body.identities ?? []).enumerated().map { index, identity in
            try identity.validated(field: "identities[\(index)].external_id")
        }
        guard identities.count <= 20 else { throw ValidationError(field: "identities", message: "at most 20 identities per member") }
        let new = NewMember(
            organizationID: body.organizationId,
            name: try Validate.name(body.name),
            phone: try body.phone.map { try PhoneNumber(parsing: $0).e164 },
            email: try body.email.map { try Validate.email($0) },
            title: try Validate.optionalText(body.title, field: "title"),
            identities: identities)
        let member = try await repository.create(new, tenantID: principal.tenantID)
        return .created(member, location: "/v1/members/\(member.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Member> {
        let principal = try context.require(.networkRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let kind = try query.oneOf("identity_kind", IdentityKind.self)
        var filter = MemberFilter()
        filter.organizationID = try query.uuid("organization_id")
        filter.crewID = try query.uuid("crew_id")
        filter.identityKind = kind
        do {
            filter.externalID = try query.string("external_id").map { raw in
                if let kind { return try kind.normalize(externalID: raw) }
                // Without a kind, a value that reads as a phone number matches WhatsApp and SMS ids.
                return (try? PhoneNumber(parsing: raw).e164) ?? raw.trimmingWhitespace()
            }
        } catch let error as ValidationError {
            throw APIError.badQuery("external_id", error.message)
        }
        filter.nameContains = query.string("q")
        filter.updatedSince = try query.date("updated_since")
        let members = try await repository.list(filter, page: page, tenantID: principal.tenantID)
        return Page(fetched: members, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Member {
        let principal = try context.require(.networkRead)
        let id = try context.parameters.uuid("id", "member")
        guard let member = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("member") }
        return member
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Member {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "member")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        var changes = MemberChanges()
        changes.organizationID = body.organizationId
        changes.name = try body.name.map { try Validate.name($0) }
        changes.phone = try body.phone.map { try PhoneNumber(parsing: $0).e164 }
        changes.email = try body.email.flatMap { $0.trimmingWhitespace().isEmpty ? nil : try Validate.email($0) }
        changes.title = try body.title.flatMap { try Validate.optionalText($0, field: "title") }
        guard let member = try await repository.update(id, changes, tenantID: principal.tenantID) else {
            throw APIError.notFound("member")
        }
        return member
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "member")
        guard try await repository.delete(id, tenantID: principal.tenantID) else { throw APIError.notFound("member") }
        return .noContent
    }

    @Sendable func addIdentity(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MemberIdentity> {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "member")
        let body = try await JSONBody.decode(IdentityRequest.self, from: request, context: context)
        guard let identity = try await repository.addIdentity(try body.validated(), to: id, tenantID: principal.tenantID) else {
            throw APIError.notFound("member")
        }
        return .created(identity, location: nil)
    }

    @Sendable func removeIdentity(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "member")
        let identityID = try context.parameters.uuid("identityId", "identity")
        guard try await repository.removeIdentity(identityID, from: id, tenantID: principal.tenantID) else {
            throw APIError.notFound("identity")
        }
        return .noContent
    }
}
