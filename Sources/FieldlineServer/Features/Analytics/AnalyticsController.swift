import FieldlineDomain
import Foundation
import Hummingbird

/// `GET /v1/analytics/conversations`: per tenant, day, team and agent — conversations opened
/// and closed, wait for the first human reply, conversation duration, messages in and out —
/// as JSON or CSV. Needs `analytics:read` (admins, supervisors, API keys given that scope).
struct AnalyticsController: Sendable {
    let repository: any AnalyticsRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("analytics/conversations", use: conversations)
    }

    @Sendable func conversations(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.analyticsRead)
        let query = try AnalyticsRequest(request)
        let (zoneName, from, to) = (query.zoneName, query.from, query.to)
        let parameters = QueryParameters(request)
        let dimensions: [AnalyticsDimension]
        do { dimensions = try AnalyticsDimension.parseList(parameters.string("group_by") ?? "day") } catch let error as ValidationError {
            throw APIError.badQuery("group_by", error.message)
        }

        let period = AnalyticsPeriod(from: from, to: to, timeZone: zoneName)
        let rows: [ConversationMetricsRow]
        do {
            rows = try await repository.conversationMetrics(
                period, into: ConversationMetricsBuilder(groupBy: dimensions), tenantID: principal.tenantID
            ).rows()
        } catch AnalyticsError.unknownTimeZone {
            throw APIError.badQuery("tz", "tz '\(zoneName)' is not a time zone the database knows")
        }
        let names = try await repository.names(
            teams: Array(Set(rows.compactMap(\.key.teamID))), users: Array(Set(rows.compactMap(\.key.agentID))),
            tenantID: principal.tenantID)

        switch query.format {
        case .csv:
            let text = ConversationMetricsCSV.render(rows, dimensions: dimensions, teamNames: names.teams, agentNames: names.users)
            return AnalyticsRequest.csv(text, name: "conversations.csv")
        case .json:
            let body = ConversationAnalytics(
                from: from, to: to, tz: zoneName, groupBy: dimensions.map(\.rawValue),
                data: rows.map { row in
                    ConversationAnalytics.Row(
                        metrics: row, dimensions: dimensions,
                        teamName: row.key.teamID.flatMap { names.teams[$0] }, agentName: row.key.agentID.flatMap { names.users[$0] })
                })
            return try body.response(from: request, context: context)
        }
    }
}
