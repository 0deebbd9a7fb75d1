import FieldlineDomain
import Foundation
import PostgresNIO

/// `TeamsRepository` on PostgreSQL.
struct PostgresTeamsRepository: TeamsRepository {
    let database: Database

    func create(name: String, tenantID: UUID) async throws -> Team {
        do {
            return try await database.withTenant(tenantID) { connection in
                let id = UUIDv7.make()
                try await connection.query(
                    "INSERT INTO teams (tenant_id, id, name) VALUES (\(tenantID), \(id), \(name))", logger: database.logger)
                guard let team = try await fetch(id, tenantID: tenantID, connection) else { throw MissingRowError(what: "new team") }
                return team
            }
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("name_taken", "a team with this name already exists", field: "name")
        }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> Team? {
        try await database.withTenant(tenantID) { try await fetch(id, tenantID: tenantID, $0) }
    }

    func list(page: PageRequest, tenantID: UUID) async throws -> [Team] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(columns: Team.columns, tenant: tenantID) FROM teams t
                WHERE t.tenant_id = \(tenantID) AND (\(page.after)::uuid IS NULL OR t.id < \(page.after))
                ORDER BY t.id DESC LIMIT \(page.fetchLimit)
                """, logger: database.logger
            ).collect(Team.init(row:))
        }
    }

    func rename(_ id: UUID, to name: String, tenantID: UUID) async throws -> Team? {
        do {
            return try await database.withTenant(tenantID) { connection in
                let updated = try await connection.query(
                    "UPDATE teams SET name = \(name), updated_at = now() WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id",
                    logger: database.logger
                ).any()
                return updated ? try await fetch(id, tenantID: tenantID, connection) : nil
            }
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("name_taken", "a team with this name already exists", field: "name")
        }
    }

    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            // The references go first, in this transaction: no ON DELETE SET NULL (sql/081).
            try await connection.query(
                "UPDATE conversations SET team_id = NULL WHERE tenant_id = \(tenantID) AND team_id = \(id)",
                logger: database.logger)
            try await connection.query(
                "UPDATE routing_settings SET fallback_team_id = NULL WHERE tenant_id = \(tenantID) AND fallback_team_id = \(id)",
                logger: database.logger)
            return try await connection.query(
                "DELETE FROM teams WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: database.logger
            ).any()
        }
    }

    func members(of id: UUID, tenantID: UUID) async throws -> [TeamMember]? {
        try await database.withTenant(tenantID) { connection in
            guard try await fetch(id, tenantID: tenantID, connection) != nil else { return nil }
            return try await connection.query("""
                SELECT m.team_id, m.user_id, u.name, u.email, m.role, m.added_at
                FROM team_members m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
                WHERE m.tenant_id = \(tenantID) AND m.team_id = \(id)
                ORDER BY u.name
                """, logger: database.logger
            ).collect(Self.member(row:))
        }
    }

    func setMember(team: UUID, user: UUID, role: TeamRole, tenantID: UUID) async throws -> TeamMember? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                WITH upsert AS (
                    INSERT INTO team_members (tenant_id, team_id, user_id, role)
                    SELECT \(tenantID), t.id, u.id, \(role.rawValue)
                    FROM teams t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = \(user)
                    WHERE t.tenant_id = \(tenantID) AND t.id = \(team)
                    ON CONFLICT (tenant_id, team_id, user_id) DO UPDATE SET role = EXCLUDED.role
                    RETURNING team_id, user_id, role, added_at
                )
                SELECT upsert.team_id, upsert.user_id, u.name, u.email, upsert.role, upsert.added_at
                FROM upsert JOIN users u ON u.tenant_id = \(tenantID) AND u.id = upsert.user_id
                """, logger: database.logger
            ).first(Self.member(row:))
        }
    }

    func removeMember(team: UUID, user: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                DELETE FROM team_members WHERE tenant_id = \(tenantID) AND team_id = \(team) AND user_id = \(user)
                RETURNING user_id
                """, logger: database.logger
            ).any()
        }
    }

    private func fetch(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> Team? {
        try await connection.query(
            "SELECT \(columns: Team.columns, tenant: tenantID) FROM teams t WHERE t.tenant_id = \(tenantID) AND t.id = \(id)",
            logger: database.logger
        ).first(Team.init(row:))
    }

    static func member(row: PostgresRow) throws -> TeamMember {
        let (teamID, userID, name, email, role, addedAt) = try row.decode((UUID, UUID, String, String, String, Date).self)
        return TeamMember(teamId: teamID, userId: userID, name: name, email: email, role: TeamRole(rawValue: role) ?? .member, addedAt: addedAt)
    }
}
