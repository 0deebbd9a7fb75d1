import FieldlineDomain
import Foundation
import PostgresNIO

/// `CrewsRepository` on PostgreSQL.
struct PostgresCrewsRepository: CrewsRepository {
    let database: Database

    func create(organizationID: UUID, name: String, crewCode: String, memberIDs: [UUID], tenantID: UUID) async throws -> Crew {
        try await mappingConstraints {
            try await database.withTenant(tenantID) { connection in
                try await SubcontractorCheck.require(organizationID, for: "crews", tenantID: tenantID, connection, logger: database.logger)
                let id = UUIDv7.make()
                try await connection.query("""
                    INSERT INTO crews (tenant_id, id, organization_id, name, crew_code)
                    VALUES (\(tenantID), \(id), \(organizationID), \(name), \(crewCode))
                    """, logger: database.logger)
                for memberID in memberIDs {
                    guard try await insertMember(memberID, crewID: id, tenantID: tenantID, connection) else {
                        throw ValidationError(field: "member_ids", code: "unknown_reference",
                                              message: "member \(memberID.uuidString.lowercased()) is not a member of the crew's organization")
                    }
                }
                guard let crew = try await fetch(id, tenantID: tenantID, connection) else { throw MissingRowError(what: "new crew") }
                return crew
            }
        }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> Crew? {
        try await database.withTenant(tenantID) { try await fetch(id, tenantID: tenantID, $0) }
    }

    func list(organizationID: UUID?, crewCode: String?, page: PageRequest, tenantID: UUID) async throws -> [Crew] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(columns: Crew.columns, tenant: tenantID) FROM crews c
                WHERE c.tenant_id = \(tenantID)
                  AND (\(organizationID)::uuid IS NULL OR c.organization_id = \(organizationID))
                  AND (\(crewCode)::text IS NULL OR c.crew_code = \(crewCode))
                  AND (\(page.after)::uuid IS NULL OR c.id < \(page.after))
                ORDER BY c.id DESC LIMIT \(page.fetchLimit)
                """, logger: database.logger
            ).collect(Crew.init(row:))
        }
    }

    func update(_ id: UUID, name: String?, crewCode: String?, tenantID: UUID) async throws -> Crew? {
        try await mappingConstraints {
            try await database.withTenant(tenantID) { connection in
                let updated = try await connection.query("""
                    UPDATE crews SET name = coalesce(\(name), name), crew_code = coalesce(\(crewCode), crew_code), updated_at = now()
                    WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id
                    """, logger: database.logger
                ).any()
                return updated ? try await fetch(id, tenantID: tenantID, connection) : nil
            }
        }
    }

    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            // Its jobs keep their subcontractor and lose the crew, in this transaction: no ON
            // DELETE SET NULL (sql/081).
            try await connection.query(
                "UPDATE jobs SET crew_id = NULL WHERE tenant_id = \(tenantID) AND crew_id = \(id)", logger: database.logger)
            return try await connection.query("DELETE FROM crews WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: database.logger).any()
        }
    }

    func addMember(_ memberID: UUID, to crewID: UUID, tenantID: UUID) async throws -> Crew? {
        try await database.withTenant(tenantID) { connection in
            guard try await fetch(crewID, tenantID: tenantID, connection) != nil else { return nil }
            guard try await insertMember(memberID, crewID: crewID, tenantID: tenantID, connection) else { return nil }
            return try await fetch(crewID, tenantID: tenantID, connection)
        }
    }

    func removeMember(_ memberID: UUID, from crewID: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                DELETE FROM crew_members WHERE tenant_id = \(tenantID) AND crew_id = \(crewID) AND member_id = \(memberID)
                RETURNING member_id
                """, logger: database.logger
            ).any()
        }
    }

    /// Adds a member only if they belong to the crew's organization; false otherwise.
    private func insertMember(_ memberID: UUID, crewID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> Bool {
        let inserted = try await connection.query("""
            INSERT INTO crew_members (tenant_id, crew_id, member_id)
            SELECT c.tenant_id, c.id, m.id FROM crews c
            JOIN members m ON m.tenant_id = c.tenant_id AND m.organization_id = c.organization_id AND m.id = \(memberID)
            WHERE c.tenant_id = \(tenantID) AND c.id = \(crewID)
            ON CONFLICT DO NOTHING
            RETURNING member_id
            """, logger: database.logger
        ).any()
        if inserted { return true }
        return try await isMember(memberID, crewID: crewID, tenantID: tenantID, connection)
    }

    private func isMember(_ memberID: UUID, crewID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> Bool {
        try await connection.query("""
            SELECT 1 FROM crew_members WHERE tenant_id = \(tenantID) AND crew_id = \(crewID) AND member_id = \(memberID)
            """, logger: database.logger
        ).any()
    }

    private func fetch(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> Crew? {
        try await connection.query(
            "SELECT \(columns: Crew.columns, tenant: tenantID) FROM crews c WHERE c.tenant_id = \(tenantID) AND c.id = \(id)", logger: database.logger
        ).first(Crew.init(row:))
    }

    private func mappingConstraints<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("crew_code_taken", "another crew already uses this crew code", field: "crew_code")
        }
    }
}
