import FieldlineDomain
import Foundation
import Hummingbird

/// `GET /v1/analytics/conversations`: per tenant, day, team and agent — conversations opened
/// and closed, wait for the first human reply, conversation duration, messages in and out —
/// as JSON or CSV. Needs `analytics:read` (admins, supervisors, API keys given that scope).
struct AnalyticsController: Sendable {
    let repository: any AnalyticsRepository

    /// Longest period one request may cover.
    static let maxDays = 366

    /// The two answer formats.
    enum Format: String, CaseIterable { case json, csv }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("analytics/conversations", use: conversations)
    }

    @Sendable func conversations(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.analyticsRead)
        let parameters = QueryParameters(request)
        let zoneName = parameters.string("tz") ?? "UTC"
        // Named zones only: PostgreSQL would also take POSIX strings like "GMT+3", whose sign is inverted.
        let known = zoneName == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(zoneName)
        guard known, let zone = TimeZone(identifier: zoneName) else {
            throw APIError.badQuery("tz", "tz must be an IANA time zone name, e.g. UTC or Europe/Madrid")
        }
        let range = try parameters.timeRange(in: zone)
        guard let from = range.from else { throw APIError.badQuery("from", "from is required (2026-01-01 or an RFC 3339 time)") }
        guard let to = range.to else { throw APIError.badQuery("to", "to is required (2026-01-31 or an RFC 3339 time)") }
        guard to.timeIntervalSince(from) <= Double(Self.maxDays) * 86_400 + 3_600 else {
            throw APIError.badQuery("to", "a request covers at most \(Self.maxDays) days")
        }
        let dimensions: [AnalyticsDimension]
        do { dimensions = try AnalyticsDimension.parseList(parameters.string("group_by") ?? "day") } catch let error as ValidationError {
            throw APIError.badQuery("group_by", error.message)
        }
        let format = try parameters.oneOf("format", Format.self) ?? (Self.prefersCSV(request) ? .csv : .json)

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

        switch format {
        case .csv:
            let text = ConversationMetricsCSV.render(rows, dimensions: dimensions, teamNames: names.teams, agentNames: names.users)
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = #"attachment; filename="conversations.csv""#
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
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

    /// True when the Accept header asks for CSV rather than JSON.
    static func prefersCSV(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        return accept.contains("text/csv") && !accept.contains("application/json")
    }
}
