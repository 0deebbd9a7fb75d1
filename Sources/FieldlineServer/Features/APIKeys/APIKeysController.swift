import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/api-keys`: admins create, list and revoke integration keys. The secret is returned only
/// by the create call.
struct APIKeysController: Sendable {
    let repository: any APIKeysRepository

    struct CreateRequest: RequestBody {
        let name: String
        let scopes: [String]
        enum CodingKeys: String, CodingKey, CaseIterable { case name, scopes }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("api-keys", use: create)
        group.get("api-keys", use: list)
        group.delete("api-keys/{id}", use: revoke)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedAPIKey> {
        let principal = try context.require(.apiKeysManage)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let key = try await repository.create(
            name: try Validate.name(body.name, maxLength: 100), scopes: try APIKeyScope.parse(body.scopes),
            tenantID: principal.tenantID)
        return EditedResponse.created(key, location: nil).noStore()
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<APIKey> {
        let principal = try context.require(.apiKeysManage)
        let page = try PageRequest(QueryParameters(request))
        return Page(fetched: try await repository.list(page: page, tenantID: principal.tenantID), limit: page.limit, id: \.id)
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.apiKeysManage)
        let id = try context.parameters.uuid("id", "API key")
        guard try await repository.revoke(id, tenantID: principal.tenantID) else { throw APIError.notFound("API key") }
        return .noContent
    }
}
