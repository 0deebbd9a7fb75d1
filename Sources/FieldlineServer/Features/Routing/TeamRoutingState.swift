import FieldlineDomain
import Foundation
import PostgresNIO

/// A team as routing sees it: how it shares work and when it is open.
struct TeamRoutingState: Sendable {
    let id: UUID
    let name: String
    let strategy: AssignmentStrategy
    let timeZone: TimeZone
    /// nil: always open.
    let hours: BusinessHours?
    let expectedHandleMinutes: Int
    let lastAssignedUserID: UUID?

    func isOpen(at date: Date) -> Bool {
        hours?.isOpen(at: date, in: timeZone) ?? true
    }

    func nextOpening(after date: Date) -> Date? {
        hours == nil ? date : hours?.nextOpening(after: date, in: timeZone)
    }

    /// "2026-11-26 09:30" in the team's time zone, for the out-of-hours message.
    func localTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute))"
    }

    static let columns = "id, name, assignment_strategy, time_zone, business_hours::text, expected_handle_minutes, last_assigned_user_id"

    static func load(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> TeamRoutingState? {
        try await connection.query(
            "SELECT \(unescaped: columns) FROM teams WHERE tenant_id = \(tenantID) AND id = \(id)", logger: logger
        ).first(TeamRoutingState.init(row:))
    }

    init(row: PostgresRow) throws {
        let (id, name, strategy, zone, hours, handle, last) =
            try row.decode((UUID, String, String, String, String?, Int, UUID?).self)
        self.id = id
        self.name = name
        self.strategy = AssignmentStrategy(rawValue: strategy) ?? .roundRobin
        self.timeZone = TimeZone(identifier: zone) ?? .gmt
        self.hours = try hours.map { try BusinessHours(validating: JSONDecoder().decode([BusinessHours.Interval].self, from: Data($0.utf8))) }
        self.expectedHandleMinutes = handle
        self.lastAssignedUserID = last
    }
}

/// Where a waiting conversation stands in its team's queue.
struct QueuePlace: Sendable {
    let position: Int
    let estimatedWaitSeconds: Double
}

/// Queue positions and wait estimates, from stored facts.
enum QueuePlaces {
    /// The conversation's place (1 = next) and estimated wait; nil when it is not waiting.
    static func place(of conversationID: UUID, team: TeamRoutingState, tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> QueuePlace? {
        try await connection.query("""
            WITH me AS (
                SELECT queued_at, id FROM conversations
                WHERE tenant_id = \(tenantID) AND id = \(conversationID) AND team_id = \(team.id)
                  AND routing_state = 'queued' AND status <> 'closed'
            )
            SELECT (SELECT count(*) FROM conversations c, me
                    WHERE c.tenant_id = \(tenantID) AND c.team_id = \(team.id) AND c.routing_state = 'queued'
                      AND c.status <> 'closed' AND c.assignee_id IS NULL AND (c.queued_at, c.id) <= (me.queued_at, me.id))::int,
                   \(unescaped: statsSQL(tenantID: tenantID, team: team.id))
            FROM me
            """, logger: logger
        ).first { row in
            let (position, assignments, online) = try row.decode((Int, Int, Int).self)
            return QueuePlace(position: position, estimatedWaitSeconds: QueueEstimate.seconds(
                position: position, assignmentsLastHour: assignments, onlineAgents: online,
                expectedHandleSeconds: Double(team.expectedHandleMinutes * 60)))
        }
    }

    /// Two columns: routing assignments from the team in the last hour, online agents now.
    /// Only our own formatted UUIDs are inlined.
    static func statsSQL(tenantID: UUID, team: UUID) -> String {
        let tenant = tenantID.uuidString.lowercased()
        let teamID = team.uuidString.lowercased()
        return """
            (SELECT count(*) FROM conversation_events e
             WHERE e.tenant_id = '\(tenant)' AND e.kind = 'assigned' AND e.data->>'by' = 'routing'
               AND e.data->>'team_id' = '\(teamID)' AND e.at > now() - interval '1 hour')::int,
            (SELECT count(*) FROM team_members tm JOIN users u ON u.tenant_id = tm.tenant_id AND u.id = tm.user_id
             WHERE tm.tenant_id = '\(tenant)' AND tm.team_id = '\(teamID)' AND u.availability = 'online' AND u.disabled_at IS NULL)::int
            """
    }
}
