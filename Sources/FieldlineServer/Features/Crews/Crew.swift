import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A named team of a subcontractor's members, identified on proofs by its crew code.
struct Crew: ResponseEncodable, Sendable {
    let id: UUID
    let organizationId: UUID
    let name: String
    let crewCode: String
    let memberIds: [UUID]
    let createdAt: Date
    let updatedAt: Date

    /// The columns, with `$tenant(…)` placeholders: a statement interpolates them as `\(columns: …, tenant: tenantID)`.
    static let columns = TenantColumns("""
        c.id, c.organization_id, c.name, c.crew_code, c.created_at, c.updated_at,
        ARRAY(SELECT m.member_id FROM crew_members m WHERE m.tenant_id = c.tenant_id$tenant(m) AND m.crew_id = c.id ORDER BY m.member_id)
        """)

    init(row: PostgresRow) throws {
        (id, organizationId, name, crewCode, createdAt, updatedAt, memberIds) =
            try row.decode((UUID, UUID, String, String, Date, Date, [UUID]).self)
    }
}

/// Storage of crews and their members within a tenant.
protocol CrewsRepository: Sendable {
    /// Creates a crew in a subcontractor; 409 when the crew code is taken.
    func create(organizationID: UUID, name: String, crewCode: String, memberIDs: [UUID], tenantID: UUID) async throws -> Crew
    /// One crew, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> Crew?
    /// Crews, newest first, by organization or code.
    func list(organizationID: UUID?, crewCode: String?, page: PageRequest, tenantID: UUID) async throws -> [Crew]
    /// Renames or recodes a crew; nil when unknown.
    func update(_ id: UUID, name: String?, crewCode: String?, tenantID: UUID) async throws -> Crew?
    /// Deletes a crew; false when unknown.
    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool
    /// Adds a member of the crew's organization; nil when the crew or member is unknown.
    func addMember(_ memberID: UUID, to crewID: UUID, tenantID: UUID) async throws -> Crew?
    /// Removes a member; false when they were not in the crew.
    func removeMember(_ memberID: UUID, from crewID: UUID, tenantID: UUID) async throws -> Bool
}
