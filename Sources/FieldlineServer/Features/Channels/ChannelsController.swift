import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/channels`: hierarchical and horizontal channels over the organization graph, and their posts.
struct ChannelsController: Sendable {
    let repository: any ChannelsRepository

    struct CreateRequest: RequestBody {
        let kind: String
        let name: String
        let organizationId: UUID?
        let kinds: [String]?
        let tags: [String]?
        let organizationIds: [UUID]?
        let handle: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case kind, name, organizationId = "organization_id", kinds, tags, organizationIds = "organization_ids", handle
        }
    }

    /// `PATCH /v1/channels/{id}`: a new name, and the handle set or (with `null`) cleared; absent
    /// fields are left as they are.
    struct UpdateRequest: RequestBody {
        let name: String?
        /// `null` clears the handle; a value is refused on a hierarchical channel.
        let handle: FieldUpdate<String>
        enum CodingKeys: String, CodingKey, CaseIterable { case name, handle }
        /// Tells an absent `handle` (unchanged) from `null` (cleared).
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            handle = try container.decodeUpdate(String.self, forKey: .handle)
        }
    }

    struct PostRequest: RequestBody {
        let text: String
        let memberId: UUID?
        enum CodingKeys: String, CodingKey, CaseIterable { case text, memberId = "member_id" }
    }

    /// Participants of one horizontal channel, at most.
    static let maxParticipants = 100

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("channels", use: create)
        group.get("channels", use: list)
        group.get("channels/{id}", use: get)
        group.patch("channels/{id}", use: update)
        group.delete("channels/{id}", use: delete)
        group.post("channels/{id}/posts", use: post)
        group.get("channels/{id}/posts", use: posts)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Channel> {
        let principal = try context.require(.networkWrite)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let channel = try await repository.create(
            try Self.validate(body), handle: try body.handle.map { try ChannelHandle.validate($0) }, viewer: Viewer(principal))
        return .created(channel, location: "/v1/channels/\(channel.id.uuidString.lowercased())")
    }

    /// Checks a create request's shape; the organizations' existence is checked by the repository.
    static func validate(_ body: CreateRequest) throws -> NewChannel {
        let name = try Validate.name(body.name)
        switch try ChannelKind.parse(body.kind, field: "kind") {
        case .hierarchical:
            guard let organizationID = body.organizationId else {
                throw ValidationError(field: "organization_id", code: "required", message: "a hierarchical channel needs organization_id, the organization speaking to its descendants")
            }
            // Members speak only in horizontal channels, so a handle here would never do anything.
            for (field, present) in [("organization_ids", body.organizationIds != nil), ("handle", body.handle != nil)] where present {
                throw ValidationError(field: field, code: "not_allowed", message: "\(field) is for horizontal channels")
            }
            let kinds = try (body.kinds ?? []).map { try OrganizationKind.parse($0, field: "kinds") }
            return .hierarchical(
                name: name, organizationID: organizationID, kinds: Array(Set(kinds)).sorted { $0.rawValue < $1.rawValue },
                tags: try Validate.tags(body.tags ?? []))
        case .horizontal:
            for (field, present) in [("organization_id", body.organizationId != nil), ("kinds", body.kinds != nil), ("tags", body.tags != nil)] where present {
                throw ValidationError(field: field, code: "not_allowed", message: "\(field) is for hierarchical channels")
            }
            let ids = Array(Set(body.organizationIds ?? []))
            guard (2...maxParticipants).contains(ids.count) else {
                throw ValidationError(field: "organization_ids", code: "invalid_field", message: "a horizontal channel needs 2 to \(maxParticipants) distinct peer organizations")
            }
            return .horizontal(name: name, organizationIDs: ids)
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Channel> {
        let principal = try context.require(.conversationsRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let items = try await repository.list(kind: try query.oneOf("kind", ChannelKind.self), page: page, tenantID: principal.tenantID)
        return Page(fetched: items, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Channel {
        let principal = try context.require(.conversationsRead)
        let id = try context.parameters.uuid("id", "channel")
        guard let channel = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("channel") }
        return channel
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Channel {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "channel")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        guard let channel = try await repository.update(
            id, name: try body.name.map { try Validate.name($0) }, handle: try body.handle.map { try ChannelHandle.validate($0) },
            tenantID: principal.tenantID)
        else { throw APIError.notFound("channel") }
        return channel
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "channel")
        guard try await repository.delete(id, tenantID: principal.tenantID) else { throw APIError.notFound("channel") }
        return .noContent
    }

    @Sendable func post(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ChannelPost> {
        let viewer = Viewer(try context.require(.conversationsWrite))
        let id = try context.parameters.uuid("id", "channel")
        let body = try await JSONBody.decode(PostRequest.self, from: request, context: context)
        let text = try MessageLimits.body(body.text)
        guard let post = try await repository.post(to: id, text: text, memberID: body.memberId, viewer: viewer) else {
            throw APIError.notFound("channel")
        }
        return .created(post, location: nil)
    }

    @Sendable func posts(_ request: Request, context: AppRequestContext) async throws -> Page<ChannelPost> {
        let principal = try context.require(.conversationsRead)
        let id = try context.parameters.uuid("id", "channel")
        let page = try PageRequest(QueryParameters(request))
        guard let items = try await repository.posts(of: id, page: page, tenantID: principal.tenantID) else { throw APIError.notFound("channel") }
        return Page(fetched: items, limit: page.limit, id: \.id)
    }
}
