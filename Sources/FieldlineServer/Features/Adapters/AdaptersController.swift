import FieldlineChannels
import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/adapters`: a tenant admin connects provider accounts. Credentials go in once and never
/// come back out; the response says which webhook URL to give the provider.
struct AdaptersController: Sendable {
    let repository: any AdaptersRepository
    let publicURL: String

    struct CreateRequest: RequestBody {
        let provider: String
        let name: String
        let credentials: [String: String]
        let config: [String: String]?
        let unverifiedOrganizationId: UUID?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case provider, name, credentials, config, unverifiedOrganizationId = "unverified_organization_id"
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("adapters", use: create)
        group.get("adapters", use: list)
        group.get("adapters/{id}", use: get)
        group.delete("adapters/{id}", use: disable)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Adapter> {
        let principal = try context.require(.adaptersManage)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let provider = try ChannelProvider.parse(body.provider, field: "provider")
        let config = body.config ?? [:]
        guard config.count <= 20, config.allSatisfy({ $0.key.count <= 50 && $0.value.count <= 200 }) else {
            throw ValidationError(field: "config", message: "config holds at most 20 short string settings")
        }
        try AdapterConfigKey.validate(config, provider: provider)
        let adapter = try await repository.create(
            provider: provider, name: try Validate.name(body.name, maxLength: 100),
            secrets: try AdapterSecrets(provider: provider, fields: body.credentials), config: config,
            unverifiedOrganizationID: body.unverifiedOrganizationId, tenantID: principal.tenantID)
        return .created(adapter.with(publicURL: publicURL), location: "/v1/adapters/\(adapter.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Adapter> {
        let principal = try context.require(.adaptersManage)
        let page = try PageRequest(QueryParameters(request))
        let adapters = try await repository.list(page: page, tenantID: principal.tenantID).map { $0.with(publicURL: publicURL) }
        return Page(fetched: adapters, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Adapter {
        let principal = try context.require(.adaptersManage)
        let id = try context.parameters.uuid("id", "adapter")
        guard let adapter = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("adapter") }
        return adapter.with(publicURL: publicURL)
    }

    @Sendable func disable(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.adaptersManage)
        let id = try context.parameters.uuid("id", "adapter")
        guard try await repository.disable(id, tenantID: principal.tenantID) else { throw APIError.notFound("adapter") }
        return .noContent
    }
}
