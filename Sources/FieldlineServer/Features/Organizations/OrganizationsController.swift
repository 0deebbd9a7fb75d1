import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/organizations`: the companies of the network, their hierarchy and peer relations.
struct OrganizationsController: Sendable {
    let repository: any OrganizationsRepository

    struct CreateRequest: RequestBody {
        let kind: String
        let name: String
        let parentId: UUID?
        let tags: [String]?
        let externalRef: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case kind, name, parentId = "parent_id", tags, externalRef = "external_ref"
        }
    }

    struct UpdateRequest: RequestBody {
        let name: String?
        let tags: [String]?
        let externalRef: FieldUpdate<String>
        let parentId: FieldUpdate<UUID>
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, tags, externalRef = "external_ref", parentId = "parent_id"
        }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            tags = try container.decodeIfPresent([String].self, forKey: .tags)
            externalRef = try container.decodeUpdate(String.self, forKey: .externalRef)
            parentId = try container.decodeUpdate(UUID.self, forKey: .parentId)
        }
    }

    struct RelationRequest: RequestBody {
        let peerId: UUID
        let kind: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case peerId = "peer_id", kind }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("organizations", use: create)
        group.get("organizations", use: list)
        group.get("organizations/{id}", use: get)
        group.patch("organizations/{id}", use: update)
        group.delete("organizations/{id}", use: delete)
        group.get("organizations/{id}/subtree", use: subtree)
        group.get("organizations/{id}/ancestors", use: ancestors)
        group.get("organizations/{id}/relations", use: relations)
        group.post("organizations/{id}/relations", use: relate)
        group.delete("organizations/{id}/relations/{peerId}", use: unrelate)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Organization> {
        let principal = try context.require(.networkWrite)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let new = NewOrganization(
            kind: try OrganizationKind.parse(body.kind, field: "kind"),
            name: try Validate.name(body.name),
            parentID: body.parentId,
            tags: try Validate.tags(body.tags ?? []),
            externalRef: try Validate.optionalText(body.externalRef, field: "external_ref"))
        let organization = try await repository.create(new, tenantID: principal.tenantID)
        return .created(organization, location: "/v1/organizations/\(organization.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Organization> {
        let principal = try context.require(.networkRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let filter = OrganizationFilter(
            kind: try query.oneOf("kind", OrganizationKind.self),
            parentID: try query.uuid("parent_id"),
            tag: query.string("tag")?.lowercased(),
            nameContains: query.string("q"),
            updatedSince: try query.date("updated_since"))
        let items = try await repository.list(filter, page: page, tenantID: principal.tenantID)
        return Page(fetched: items, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Organization {
        let principal = try context.require(.networkRead)
        let id = try context.parameters.uuid("id", "organization")
        guard let organization = try await repository.get(id, tenantID: principal.tenantID) else {
            throw APIError.notFound("organization")
        }
        return organization
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Organization {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "organization")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        let changes = OrganizationChanges(
            name: try body.name.map { try Validate.name($0) },
            tags: try body.tags.map { try Validate.tags($0) },
            externalRef: try body.externalRef.flatMap { try Validate.optionalText($0, field: "external_ref") },
            parent: body.parentId)
        guard let organization = try await repository.update(id, changes, tenantID: principal.tenantID) else {
            throw APIError.notFound("organization")
        }
        return organization
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "organization")
        let deleted: Bool
        do {
            deleted = try await repository.delete(id, tenantID: principal.tenantID)
        } catch let error where error.postgresError?.isForeignKeyViolation == true {
            throw APIError.conflict(
                "organization_in_use",
                "the organization still has child organizations, members, crews, service areas or users; remove or move them first")
        }
        guard deleted else { throw APIError.notFound("organization") }
        return .noContent
    }

    @Sendable func subtree(_ request: Request, context: AppRequestContext) async throws -> Page<Organization> {
        let principal = try context.require(.networkRead)
        let id = try context.parameters.uuid("id", "organization")
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let kind = try query.oneOf("kind", OrganizationKind.self)
        guard let items = try await repository.subtree(of: id, kind: kind, page: page, tenantID: principal.tenantID) else {
            throw APIError.notFound("organization")
        }
        return Page(fetched: items, limit: page.limit, id: \.id)
    }

    @Sendable func ancestors(_ request: Request, context: AppRequestContext) async throws -> ItemList<Organization> {
        let principal = try context.require(.networkRead)
        let id = try context.parameters.uuid("id", "organization")
        guard let items = try await repository.ancestors(of: id, tenantID: principal.tenantID) else {
            throw APIError.notFound("organization")
        }
        return ItemList(data: items)
    }

    @Sendable func relations(_ request: Request, context: AppRequestContext) async throws -> ItemList<OrganizationRelation> {
        let principal = try context.require(.networkRead)
        let id = try context.parameters.uuid("id", "organization")
        guard let items = try await repository.relations(of: id, tenantID: principal.tenantID) else {
            throw APIError.notFound("organization")
        }
        return ItemList(data: items)
    }

    @Sendable func relate(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<OrganizationRelation> {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "organization")
        let body = try await JSONBody.decode(RelationRequest.self, from: request, context: context)
        guard body.peerId != id else {
            throw ValidationError(field: "peer_id", message: "an organization cannot be related to itself")
        }
        let kind = try Validate.name(body.kind ?? "peer", field: "kind", maxLength: 50)
        guard let relation = try await repository.relate(id, to: body.peerId, kind: kind, tenantID: principal.tenantID) else {
            throw APIError.notFound("organization")
        }
        return .created(relation, location: nil)
    }

    @Sendable func unrelate(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "organization")
        let peerID = try context.parameters.uuid("peerId", "relation")
        guard try await repository.unrelate(id, from: peerID, tenantID: principal.tenantID) else {
            throw APIError.notFound("relation")
        }
        return .noContent
    }
}
