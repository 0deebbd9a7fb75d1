import FieldlineDomain
import Foundation
import PostgresNIO

/// `AnalyticsRepository` on PostgreSQL.
///
/// Who a fact belongs to is rebuilt from the event log, never from the conversation's current
/// state: the team and agent holding a conversation at an instant are those of its latest
/// `assigned` or `transferred` event at or before that instant. So metrics of past days do not
/// change when a conversation moves on, and every figure can be recomputed over history.
struct PostgresAnalyticsRepository: AnalyticsRepository {
    let database: Database

    var logger: Logger { database.logger }

    /// The holder (assignee and team) of the conversation of row `alias` at its column `instant`.
    private static func holderSQL(_ alias: String, instant: String) -> String {
        """
        LEFT JOIN LATERAL (
            SELECT nullif(a.data->>'assignee_id', '')::uuid AS assignee_id, nullif(a.data->>'team_id', '')::uuid AS team_id
            FROM conversation_events a
            WHERE a.tenant_id = \(alias).tenant_id AND a.conversation_id = \(alias).conversation_id
              AND a.kind IN ('assigned', 'transferred') AND a.at <= \(alias).\(instant)
            ORDER BY a.at DESC, a.id DESC LIMIT 1
        ) h ON true
        """
    }

    func conversationMetrics(
        _ period: AnalyticsPeriod, into builder: ConversationMetricsBuilder, tenantID: UUID
    ) async throws -> ConversationMetricsBuilder {
        let (from, to, zone) = (period.from, period.to, period.timeZone)
        let facts: [(ConversationFact, AnalyticsKey)]
        do {
            facts = try await database.withTenant(tenantID) { connection in
                let events = try await connection.query("""
                    SELECT e.kind, to_char(e.at AT TIME ZONE \(zone), 'YYYY-MM-DD'), h.team_id,
                           CASE WHEN e.kind = 'first_human_reply' THEN coalesce(e.actor_user_id, h.assignee_id) ELSE h.assignee_id END,
                           extract(epoch FROM e.at - o.at)::float8
                    FROM conversation_events e
                    \(unescaped: Self.holderSQL("e", instant: "at"))
                    LEFT JOIN LATERAL (
                        SELECT min(f.at) AS at FROM conversation_events f
                        WHERE f.tenant_id = e.tenant_id AND f.conversation_id = e.conversation_id AND f.kind = 'opened'
                    ) o ON true
                    WHERE e.tenant_id = \(tenantID) AND e.kind IN ('opened', 'first_human_reply', 'closed')
                      AND e.at >= \(from) AND e.at < \(to)
                    """, logger: logger
                ).collect { row in
                    let (kind, day, team, agent, seconds) = try row.decode((String, String, UUID?, UUID?, Double?).self)
                    let fact: ConversationFact = switch kind {
                    case "opened": .opened
                    case "first_human_reply": .firstHumanReply(wait: seconds)
                    default: .closed(duration: seconds)
                    }
                    return (fact, AnalyticsKey(day: day, teamID: team, agentID: agent))
                }
                // Outbound messages belong to their author (nil: an API key or the system);
                // inbound ones to whoever held the conversation when they arrived.
                let counts = try await connection.query("""
                    SELECT to_char(m.created_at AT TIME ZONE \(zone), 'YYYY-MM-DD'), h.team_id,
                           CASE WHEN m.direction = 'outbound' THEN m.author_user_id ELSE h.assignee_id END,
                           (count(*) FILTER (WHERE m.direction = 'inbound'))::int,
                           (count(*) FILTER (WHERE m.direction = 'outbound'))::int
                    FROM messages m
                    \(unescaped: Self.holderSQL("m", instant: "created_at"))
                    WHERE m.tenant_id = \(tenantID) AND m.direction IN ('inbound', 'outbound')
                      AND m.created_at >= \(from) AND m.created_at < \(to)
                    GROUP BY 1, 2, 3
                    """, logger: logger
                ).collect { row in
                    let (day, team, agent, inbound, outbound) = try row.decode((String, UUID?, UUID?, Int, Int).self)
                    return (ConversationFact.messages(inbound: inbound, outbound: outbound), AnalyticsKey(day: day, teamID: team, agentID: agent))
                }
                return events + counts
            }
        } catch let error where error.postgresError?.sqlState == "22023" {
            throw AnalyticsError.unknownTimeZone
        }
        var builder = builder
        for (fact, key) in facts { builder.add(fact, at: key) }
        return builder
    }

    func names(teams: [UUID], users: [UUID], tenantID: UUID) async throws -> (teams: [UUID: String], users: [UUID: String]) {
        try await database.withTenant(tenantID) { connection in
            let teamNames = try await connection.query(
                "SELECT id, name FROM teams WHERE tenant_id = \(tenantID) AND id = ANY(\(teams))", logger: logger
            ).collect { try $0.decode((UUID, String).self) }
            let userNames = try await connection.query(
                "SELECT id, name FROM users WHERE tenant_id = \(tenantID) AND id = ANY(\(users))", logger: logger
            ).collect { try $0.decode((UUID, String).self) }
            return (Dictionary(teamNames, uniquingKeysWith: { a, _ in a }), Dictionary(userNames, uniquingKeysWith: { a, _ in a }))
        }
    }
}
