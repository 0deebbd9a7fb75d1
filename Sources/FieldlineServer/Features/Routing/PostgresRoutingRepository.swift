import FieldlineDomain
import Foundation
import PostgresNIO

/// `RoutingRepository` on PostgreSQL.
struct PostgresRoutingRepository: RoutingRepository {
    let database: Database

    var logger: Logger { database.logger }

    func settings(tenantID: UUID) async throws -> RoutingSettings {
        try await database.withTenant(tenantID) { try await RoutingSettings.load(tenantID: tenantID, $0, logger: logger) } ?? .disabled
    }

    func saveSettings(_ settings: RoutingSettings, tenantID: UUID) async throws -> RoutingSettings {
        do {
            return try await database.withTenant(tenantID) { connection in
                try await connection.query("""
                    INSERT INTO routing_settings (tenant_id, \(unescaped: RoutingSettings.columns))
                    VALUES (\(tenantID), \(settings.enabled), \(settings.welcomeMessage), \(settings.fallbackMessage),
                            \(settings.assignmentMessage), \(settings.outOfHoursMessage), \(settings.queueMessage), \(settings.fallbackTeamID))
                    ON CONFLICT (tenant_id) DO UPDATE SET
                        enabled = EXCLUDED.enabled, welcome_message = EXCLUDED.welcome_message,
                        fallback_message = EXCLUDED.fallback_message, assignment_message = EXCLUDED.assignment_message,
                        out_of_hours_message = EXCLUDED.out_of_hours_message, queue_message = EXCLUDED.queue_message,
                        fallback_team_id = EXCLUDED.fallback_team_id, updated_at = \(upsertNow: "updated_at")
                    RETURNING \(unescaped: RoutingSettings.columns)
                    """, logger: logger
                ).first(RoutingSettings.init(row:)) ?? settings
            }
        } catch let error where error.postgresError?.isForeignKeyViolation == true {
            throw ValidationError(field: "fallback_team_id", code: "unknown_reference", message: "fallback_team_id names no team")
        }
    }

    func rules(tenantID: UUID) async throws -> [RoutingRuleResource] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: RoutingRuleResource.columns) FROM routing_rules
                WHERE tenant_id = \(tenantID) ORDER BY menu_number NULLS LAST, id
                """, logger: logger
            ).collect(RoutingRuleResource.init(row:))
        }
    }

    func createRule(_ rule: RoutingRuleInput, tenantID: UUID) async throws -> RoutingRuleResource {
        try await writingRule {
            try await database.withTenant(tenantID) { connection in
                let created = try await connection.query("""
                    INSERT INTO routing_rules (tenant_id, id, team_id, label, menu_number, keywords)
                    VALUES (\(tenantID), \(UUIDv7.make()), \(rule.teamID), \(rule.label), \(rule.menuNumber), \(rule.keywords))
                    RETURNING \(unescaped: RoutingRuleResource.columns)
                    """, logger: logger
                ).first(RoutingRuleResource.init(row:))
                guard let created else { throw MissingRowError(what: "new routing rule") }
                return created
            }
        }
    }

    func replaceRule(_ id: UUID, with rule: RoutingRuleInput, tenantID: UUID) async throws -> RoutingRuleResource? {
        try await writingRule {
            try await database.withTenant(tenantID) { connection in
                try await connection.query("""
                    UPDATE routing_rules SET team_id = \(rule.teamID), label = \(rule.label), menu_number = \(rule.menuNumber),
                        keywords = \(rule.keywords)
                    WHERE tenant_id = \(tenantID) AND id = \(id)
                    RETURNING \(unescaped: RoutingRuleResource.columns)
                    """, logger: logger
                ).first(RoutingRuleResource.init(row:))
            }
        }
    }

    func deleteRule(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "DELETE FROM routing_rules WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: logger
            ).any()
        }
    }

    private func writingRule<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("menu_number_taken", "another rule already has this menu number", field: "menu_number")
        } catch let error where error.postgresError?.isForeignKeyViolation == true {
            throw ValidationError(field: "team_id", code: "unknown_reference", message: "team_id names no team")
        }
    }
}
