import FieldlineDomain
import Foundation
import PostgresNIO

/// `FlowsRepository` on PostgreSQL.
struct PostgresFlowsRepository: FlowsRepository {
    let database: Database

    var logger: Logger { database.logger }

    func create(_ draft: FlowDraft, createdBy: String, tenantID: UUID) async throws -> Flow {
        try await Self.mappingNameTaken {
            try await database.withTenant(tenantID) { connection in
                try await Self.insert(draft, createdBy: createdBy, tenantID: tenantID, connection, logger: logger)
            }
        }
    }

    /// Inserts a new flow and its version 1 (also used to seed a tenant's default flows).
    static func insert(_ draft: FlowDraft, createdBy: String, tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> Flow {
        try await checkTeams(of: draft.definition, tenantID: tenantID, connection, logger: logger)
        let id = UUIDv7.make()
        try await connection.query("""
            INSERT INTO flows (tenant_id, id, name, enabled, triggers, current_version)
            VALUES (\(tenantID), \(id), \(draft.name ?? ""), \(draft.enabled ?? true), \(draft.triggersJSON ?? "[]")::jsonb, 1)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO flow_versions (tenant_id, flow_id, version, definition, created_by)
            VALUES (\(tenantID), \(id), 1, \(draft.definitionJSON)::jsonb, \(createdBy))
            """, logger: logger)
        guard let flow = try await fetch(id, version: nil, tenantID: tenantID, connection, logger: logger) else { throw MissingRowError(what: "new flow") }
        return flow
    }

    func list(page: PageRequest, tenantID: UUID) async throws -> [Flow] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: Flow.columns) FROM flows f
                JOIN flow_versions v ON v.tenant_id = f.tenant_id AND v.flow_id = f.id AND v.version = f.current_version
                WHERE f.tenant_id = \(tenantID) AND (\(page.after)::uuid IS NULL OR f.id < \(page.after))
                ORDER BY f.id DESC LIMIT \(page.fetchLimit)
                """, logger: logger
            ).collect(Flow.init(row:))
        }
    }

    func get(_ id: UUID, version: Int?, tenantID: UUID) async throws -> Flow? {
        try await database.withTenant(tenantID) { try await Self.fetch(id, version: version, tenantID: tenantID, $0, logger: logger) }
    }

    func publish(_ id: UUID, _ draft: FlowDraft, createdBy: String, tenantID: UUID) async throws -> Flow? {
        try await Self.mappingNameTaken {
            try await database.withTenant(tenantID) { connection in
                let locked = try await connection.query("""
                    SELECT current_version, triggers::text FROM flows WHERE tenant_id = \(tenantID) AND id = \(id) FOR UPDATE
                    """, logger: logger
                ).first { try $0.decode((Int, String).self) }
                guard let (current, storedTriggers) = locked else { return nil }
                if draft.triggers == nil {
                    // The triggers stay; they must still suit the new definition.
                    let triggers = (try? JSONDecoder().decode([FlowTrigger].self, from: Data(storedTriggers.utf8))) ?? []
                    _ = try FlowTrigger.validate(triggers, for: draft.definition)
                }
                try await Self.checkTeams(of: draft.definition, tenantID: tenantID, connection, logger: logger)
                let version = current + 1
                try await connection.query("""
                    INSERT INTO flow_versions (tenant_id, flow_id, version, definition, created_by)
                    VALUES (\(tenantID), \(id), \(version), \(draft.definitionJSON)::jsonb, \(createdBy))
                    """, logger: logger)
                try await connection.query("""
                    UPDATE flows SET current_version = \(version), name = coalesce(\(draft.name), name),
                        enabled = coalesce(\(draft.enabled), enabled), triggers = coalesce(\(draft.triggersJSON)::jsonb, triggers),
                        updated_at = now()
                    WHERE tenant_id = \(tenantID) AND id = \(id)
                    """, logger: logger)
                return try await Self.fetch(id, version: nil, tenantID: tenantID, connection, logger: logger)
            }
        }
    }

    static func fetch(_ id: UUID, version: Int?, tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> Flow? {
        try await connection.query("""
            SELECT \(unescaped: Flow.columns) FROM flows f
            JOIN flow_versions v ON v.tenant_id = f.tenant_id AND v.flow_id = f.id AND v.version = coalesce(\(version), f.current_version)
            WHERE f.tenant_id = \(tenantID) AND f.id = \(id)
            """, logger: logger
        ).first(Flow.init(row:))
    }

    /// The teams a definition hands off to must exist in the tenant: a handoff must not fail at run time.
    static func checkTeams(of definition: FlowDefinition, tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws {
        var named: [(field: String, value: String)] = definition.handoffTeamID.map { [("definition.handoff_team_id", $0)] } ?? []
        named += definition.steps.compactMap { step in step.teamID.map { ("definition.steps.\(step.id).team_id", $0) } }
        guard !named.isEmpty else { return }
        let ids = try named.map { field, value in
            guard let id = UUID(uuidString: value) else { throw ValidationError(field: field, message: "\(field) must be a team's id") }
            return id
        }
        let known = Set(try await connection.query(
            "SELECT id FROM teams WHERE tenant_id = \(tenantID) AND id = ANY(\(ids)::uuid[])", logger: logger
        ).collect { try $0.decode(UUID.self) })
        if let missing = zip(named, ids).first(where: { !known.contains($0.1) }) {
            throw ValidationError(field: missing.0.field, code: "unknown_team", message: "\(missing.0.field) names no team of this tenant")
        }
    }

    private static func mappingNameTaken<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("name_taken", "a flow with this name already exists", field: "name")
        }
    }
}
