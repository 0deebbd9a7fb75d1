import FieldlineDomain
import Foundation
import Logging
import PostgresNIO

/// Crews and service areas belong to subcontractors only.
enum SubcontractorCheck {
    /// Throws a 422 on `organization_id` unless it names a subcontractor of the tenant;
    /// `what` ("crews", "service areas") goes into the message.
    static func require(
        _ organizationID: UUID, for what: String, tenantID: UUID, _ connection: PostgresConnection, logger: Logger
    ) async throws {
        let kind = try await connection.query(
            "SELECT kind FROM organizations WHERE tenant_id = \(tenantID) AND id = \(organizationID)", logger: logger
        ).first { try $0.decode(String.self) }
        guard let kind else {
            throw ValidationError(field: "organization_id", code: "unknown_reference", message: "organization_id names no organization")
        }
        guard kind == OrganizationKind.subcontractor.rawValue else {
            throw ValidationError(
                field: "organization_id", code: "not_a_subcontractor",
                message: "\(what) belong to subcontractor organizations; this one is a \(kind)")
        }
    }
}
