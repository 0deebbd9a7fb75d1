import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A tenant's routing configuration: whether routing runs, and the messages it sends.
struct RoutingSettings: ResponseEncodable, Sendable {
    let enabled: Bool
    /// Sent when a conversation opens; the menu goes at `{menu}` (or after the text).
    let welcomeMessage: String?
    /// Sent when a member's answer matches no rule; may contain `{menu}`.
    let fallbackMessage: String?
    /// Sent when routing gives the conversation to an agent: `{agent_name}`, `{team_name}`.
    let assignmentMessage: String?
    /// Sent when the team is closed: `{team_name}`, `{next_open}`.
    let outOfHoursMessage: String?
    /// Sent when the member must wait: `{position}`, `{eta_minutes}`, `{team_name}`.
    let queueMessage: String?
    /// Where an unmatched answer goes; nil leaves the member at the menu.
    let fallbackTeamID: UUID?

    enum CodingKeys: String, CodingKey {
        case enabled, welcomeMessage, fallbackMessage, assignmentMessage, outOfHoursMessage, queueMessage
        case fallbackTeamID = "fallbackTeamId"
    }

    /// Settings when the tenant saved none.
    static let disabled = RoutingSettings(
        enabled: false, welcomeMessage: nil, fallbackMessage: nil, assignmentMessage: nil, outOfHoursMessage: nil,
        queueMessage: nil, fallbackTeamID: nil)

    static let columns = """
        enabled, welcome_message, fallback_message, assignment_message, out_of_hours_message, queue_message, fallback_team_id
        """

    init(enabled: Bool, welcomeMessage: String?, fallbackMessage: String?, assignmentMessage: String?, outOfHoursMessage: String?,
         queueMessage: String?, fallbackTeamID: UUID?) {
        self.enabled = enabled
        self.welcomeMessage = welcomeMessage
        self.fallbackMessage = fallbackMessage
        self.assignmentMessage = assignmentMessage
        self.outOfHoursMessage = outOfHoursMessage
        self.queueMessage = queueMessage
        self.fallbackTeamID = fallbackTeamID
    }

    init(row: PostgresRow) throws {
        let (enabled, welcome, fallback, assignment, outOfHours, queue, fallbackTeam) =
            try row.decode((Bool, String?, String?, String?, String?, String?, UUID?).self)
        self.init(enabled: enabled, welcomeMessage: welcome, fallbackMessage: fallback, assignmentMessage: assignment,
                  outOfHoursMessage: outOfHours, queueMessage: queue, fallbackTeamID: fallbackTeam)
    }

    /// The tenant's settings, or nil when none were saved.
    /// Read for every new conversation, so prepared once per connection.
    static func load(tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> RoutingSettings? {
        try await connection.rows(LoadStatement(tenantID: tenantID), logger: logger).first
    }

    /// The tenant's settings row.
    struct LoadStatement: PostgresPreparedStatement {
        static let name = "fieldline_routing_settings"
        static let sql = "SELECT \(RoutingSettings.columns) FROM routing_settings WHERE tenant_id = $1"
        static let bindingDataTypes: [PostgresDataType] = [.uuid]
        typealias Row = RoutingSettings

        let tenantID: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(tenantID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> RoutingSettings { try RoutingSettings(row: row) }
    }
}

/// Reading the tenant's routing rules in match order.
enum RoutingRulesStore {
    /// Every rule: numbered ones in number order, then keyword-only ones, oldest first.
    static func load(tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> [RoutingRule] {
        try await connection.query("""
            SELECT id, team_id, label, menu_number, keywords FROM routing_rules
            WHERE tenant_id = \(tenantID) ORDER BY menu_number NULLS LAST, id
            """, logger: logger
        ).collect { row in
            let (id, team, label, number, keywords) = try row.decode((UUID, UUID, String, Int?, [String]).self)
            return RoutingRule(id: id, teamID: team, label: label, menuNumber: number, keywords: keywords)
        }
    }
}
