import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A tenant's settings of the proof checks (`/v1/proof-settings`).
struct ProofSettings: ResponseEncodable, Sendable {
    /// Used until the tenant sets its own.
    static let defaultAtSiteMetres = 250
    static let atSiteRange = 10...100_000

    /// A location within this many metres of the job's site is `at_site`.
    let atSiteMetres: Int
    /// Photos served through signed links keep their EXIF GPS.
    let gpsInLinks: Bool
}

/// `GET /v1/proof-settings` (proofs:read) and `PUT` (proofs:write).
struct ProofSettingsController: Sendable {
    let database: Database

    /// The body of `PUT /v1/proof-settings`.
    struct SettingsRequest: RequestBody {
        let atSiteMetres: Int?
        let gpsInLinks: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable { case atSiteMetres = "at_site_metres", gpsInLinks = "gps_in_links" }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("proof-settings", use: get)
        group.put("proof-settings", use: put)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ProofSettings {
        let tenantID = try context.require(.proofsRead).tenantID
        return try await database.withTenant(tenantID) { try await Self.load(tenantID, $0, logger: database.logger) }
    }

    private static func load(_ tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> ProofSettings {
        let row = try await connection.query(
            "SELECT at_site_metres, gps_in_links FROM proof_settings WHERE tenant_id = \(tenantID)", logger: logger
        ).first { try $0.decode((Int, Bool).self) }
        return ProofSettings(atSiteMetres: row?.0 ?? ProofSettings.defaultAtSiteMetres, gpsInLinks: row?.1 ?? false)
    }

    /// Changes the settings given; the others stay.
    @Sendable func put(_ request: Request, context: AppRequestContext) async throws -> ProofSettings {
        let tenantID = try context.require(.proofsWrite).tenantID
        let body = try await JSONBody.decode(SettingsRequest.self, from: request, context: context)
        if let metres = body.atSiteMetres, !ProofSettings.atSiteRange.contains(metres) {
            throw ValidationError(field: "at_site_metres", message: "at_site_metres must be between 10 and 100000")
        }
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                INSERT INTO proof_settings (tenant_id, at_site_metres, gps_in_links)
                VALUES (\(tenantID), coalesce(\(body.atSiteMetres), \(ProofSettings.defaultAtSiteMetres)), coalesce(\(body.gpsInLinks), false))
                ON CONFLICT (tenant_id) DO UPDATE SET
                    at_site_metres = coalesce(\(body.atSiteMetres), proof_settings.at_site_metres),
                    gps_in_links = coalesce(\(body.gpsInLinks), proof_settings.gps_in_links), updated_at = \(upsertNow: "updated_at")
                """, logger: database.logger)
            return try await Self.load(tenantID, connection, logger: database.logger)
        }
    }
}
