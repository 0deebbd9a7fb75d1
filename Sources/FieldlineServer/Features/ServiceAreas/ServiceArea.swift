import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// Where a subcontractor works: a centre and a radius in kilometres.
struct ServiceArea: ResponseEncodable, Sendable {
    let id: UUID
    let organizationId: UUID
    let name: String
    let latitude: Double
    let longitude: Double
    let radiusKm: Double
    let createdAt: Date
    let updatedAt: Date

    static let columns = "id, organization_id, name, latitude, longitude, radius_km, created_at, updated_at"

    init(row: PostgresRow) throws {
        (id, organizationId, name, latitude, longitude, radiusKm, createdAt, updatedAt) =
            try row.decode((UUID, UUID, String, Double, Double, Double, Date, Date).self)
    }
}

/// Storage of service areas within a tenant.
protocol ServiceAreasRepository: Sendable {
    /// Creates an area for a subcontractor.
    func create(organizationID: UUID, name: String, shape: ServiceAreaShape, tenantID: UUID) async throws -> ServiceArea
    /// One area, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> ServiceArea?
    /// Areas, newest first, by organization and/or covering a point.
    func list(organizationID: UUID?, covering point: GeoPoint?, page: PageRequest, tenantID: UUID) async throws -> [ServiceArea]
    /// Replaces name and/or shape; nil when unknown.
    func update(_ id: UUID, name: String?, shape: ServiceAreaShape?, tenantID: UUID) async throws -> ServiceArea?
    /// Deletes an area; false when unknown.
    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool
}

/// `ServiceAreasRepository` on PostgreSQL; "covering a point" uses the spatial index and the
/// haversine distance (`sql/021_service_area_search.sql`).
struct PostgresServiceAreasRepository: ServiceAreasRepository {
    let database: Database

    func create(organizationID: UUID, name: String, shape: ServiceAreaShape, tenantID: UUID) async throws -> ServiceArea {
        try await database.withTenant(tenantID) { connection in
            try await SubcontractorCheck.require(organizationID, for: "service areas", tenantID: tenantID, connection, logger: database.logger)
            let rows = try await connection.query("""
                INSERT INTO service_areas (tenant_id, id, organization_id, name, latitude, longitude, radius_km)
                VALUES (\(tenantID), \(UUIDv7.make()), \(organizationID), \(name), \(shape.centre.latitude), \(shape.centre.longitude), \(shape.radiusKilometres))
                RETURNING \(unescaped: ServiceArea.columns)
                """, logger: database.logger)
            guard let area = try await rows.first(ServiceArea.init(row:)) else { throw MissingRowError(what: "new service area") }
            return area
        }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> ServiceArea? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "SELECT \(unescaped: ServiceArea.columns) FROM service_areas WHERE tenant_id = \(tenantID) AND id = \(id)",
                logger: database.logger
            ).first(ServiceArea.init(row:))
        }
    }

    func list(organizationID: UUID?, covering point: GeoPoint?, page: PageRequest, tenantID: UUID) async throws -> [ServiceArea] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: ServiceArea.columns) FROM service_areas
                WHERE tenant_id = \(tenantID)
                  AND (\(organizationID)::uuid IS NULL OR organization_id = \(organizationID))
                  AND (\(point?.latitude)::float8 IS NULL
                       OR (bounds @> fieldline_earth_point(\(point?.latitude), \(point?.longitude))
                           AND fieldline_distance_m(latitude, longitude, \(point?.latitude), \(point?.longitude)) <= radius_km * 1000))
                  AND (\(page.after)::uuid IS NULL OR id < \(page.after))
                ORDER BY id DESC LIMIT \(page.fetchLimit)
                """, logger: database.logger
            ).collect(ServiceArea.init(row:))
        }
    }

    func update(_ id: UUID, name: String?, shape: ServiceAreaShape?, tenantID: UUID) async throws -> ServiceArea? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                UPDATE service_areas SET
                    name = coalesce(\(name), name),
                    latitude = coalesce(\(shape?.centre.latitude), latitude),
                    longitude = coalesce(\(shape?.centre.longitude), longitude),
                    radius_km = coalesce(\(shape?.radiusKilometres), radius_km),
                    updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING \(unescaped: ServiceArea.columns)
                """, logger: database.logger
            ).first(ServiceArea.init(row:))
        }
    }

    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "DELETE FROM service_areas WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: database.logger
            ).any()
        }
    }
}
