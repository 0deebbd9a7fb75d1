import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/service-areas`: where subcontractors work; `?covers_lat=&covers_lon=` finds who covers a
/// point.
struct ServiceAreasController: Sendable {
    let repository: any ServiceAreasRepository

    struct CreateRequest: RequestBody {
        let organizationId: UUID
        let name: String
        let latitude: Double
        let longitude: Double
        let radiusKm: Double
        enum CodingKeys: String, CodingKey, CaseIterable {
            case organizationId = "organization_id", name, latitude, longitude, radiusKm = "radius_km"
        }
    }

    struct UpdateRequest: RequestBody {
        let name: String?
        let latitude: Double?
        let longitude: Double?
        let radiusKm: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, latitude, longitude, radiusKm = "radius_km" }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("service-areas", use: create)
        group.get("service-areas", use: list)
        group.get("service-areas/{id}", use: get)
        group.patch("service-areas/{id}", use: update)
        group.delete("service-areas/{id}", use: delete)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ServiceArea> {
        let principal = try context.require(.networkWrite)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let shape = try ServiceAreaShape(latitude: body.latitude, longitude: body.longitude, radiusKilometres: body.radiusKm)
        let area = try await repository.create(
            organizationID: body.organizationId, name: try Validate.name(body.name), shape: shape, tenantID: principal.tenantID)
        return .created(area, location: "/v1/service-areas/\(area.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<ServiceArea> {
        let principal = try context.require(.networkRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let latitude = try query.double("covers_lat", range: -90...90)
        let longitude = try query.double("covers_lon", range: -180...180)
        guard (latitude == nil) == (longitude == nil) else {
            throw APIError.badQuery(latitude == nil ? "covers_lat" : "covers_lon", "covers_lat and covers_lon go together")
        }
        let point = try latitude.map { try GeoPoint(latitude: $0, longitude: longitude ?? 0) }
        let areas = try await repository.list(
            organizationID: try query.uuid("organization_id"), covering: point, page: page, tenantID: principal.tenantID)
        return Page(fetched: areas, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ServiceArea {
        let principal = try context.require(.networkRead)
        let id = try context.parameters.uuid("id", "service area")
        guard let area = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("service area") }
        return area
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> ServiceArea {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "service area")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        guard let current = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("service area") }
        let shape = try ServiceAreaShape(
            latitude: body.latitude ?? current.latitude, longitude: body.longitude ?? current.longitude,
            radiusKilometres: body.radiusKm ?? current.radiusKm)
        guard let area = try await repository.update(
            id, name: try body.name.map { try Validate.name($0) }, shape: shape, tenantID: principal.tenantID)
        else { throw APIError.notFound("service area") }
        return area
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.networkWrite)
        let id = try context.parameters.uuid("id", "service area")
        guard try await repository.delete(id, tenantID: principal.tenantID) else { throw APIError.notFound("service area") }
        return .noContent
    }
}
