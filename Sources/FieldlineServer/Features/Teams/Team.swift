import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A team of users that conversations can be routed to.
struct Team: ResponseEncodable, Sendable {
    let id: UUID
    let name: String
    let memberCount: Int
    let createdAt: Date
    let updatedAt: Date

    /// The columns, with `$tenant(…)` placeholders: a statement interpolates them as `\(columns: …, tenant: tenantID)`.
    static let columns = TenantColumns("""
        t.id, t.name, (SELECT count(*) FROM team_members m WHERE m.tenant_id = t.tenant_id$tenant(m) AND m.team_id = t.id)::int,
        t.created_at, t.updated_at
        """)

    init(row: PostgresRow) throws {
        (id, name, memberCount, createdAt, updatedAt) = try row.decode((UUID, String, Int, Date, Date).self)
    }
}

/// A user's membership in a team.
struct TeamMember: ResponseEncodable, Sendable {
    let teamId: UUID
    let userId: UUID
    let name: String
    let email: String
    let role: TeamRole
    let addedAt: Date
}

/// Storage of teams and their members within a tenant.
protocol TeamsRepository: Sendable {
    /// Creates a team; 409 when the name is taken.
    func create(name: String, tenantID: UUID) async throws -> Team
    /// One team, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> Team?
    /// Teams, newest first.
    func list(page: PageRequest, tenantID: UUID) async throws -> [Team]
    /// Renames a team; nil when unknown.
    func rename(_ id: UUID, to name: String, tenantID: UUID) async throws -> Team?
    /// Deletes a team; false when unknown.
    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool
    /// The team's members; nil when the team is unknown.
    func members(of id: UUID, tenantID: UUID) async throws -> [TeamMember]?
    /// Adds or updates a membership; nil when the team or user is unknown.
    func setMember(team: UUID, user: UUID, role: TeamRole, tenantID: UUID) async throws -> TeamMember?
    /// Removes a membership; false when there was none.
    func removeMember(team: UUID, user: UUID, tenantID: UUID) async throws -> Bool
}
