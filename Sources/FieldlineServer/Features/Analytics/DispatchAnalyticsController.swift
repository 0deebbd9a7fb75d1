import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// `GET /v1/analytics/dispatch/jobs` and `/subcontractors` (analytics:read): time to first
/// acceptance, offers per job, acceptance rate per subcontractor; JSON, or CSV with
/// `format=csv` or `Accept: text/csv`.
struct DispatchAnalyticsController: Sendable {
    let store: DispatchAnalyticsStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("analytics/dispatch/jobs", use: jobs)
        group.get("analytics/dispatch/subcontractors", use: subcontractors)
    }

    @Sendable func jobs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.analyticsRead)
        let (from, to, format) = try Self.parameters(request)
        let figures = try await store.jobs(from: from, to: to, tenantID: principal.tenantID)
        if format == .csv { return Self.csv(DispatchMetricsCSV.jobs(figures), name: "dispatch-jobs.csv") }
        return try DispatchJobsAnalytics(from: from, to: to, figures: figures).response(from: request, context: context)
    }

    @Sendable func subcontractors(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.analyticsRead)
        let (from, to, format) = try Self.parameters(request)
        let figures = try await store.subcontractors(from: from, to: to, tenantID: principal.tenantID)
        if format == .csv { return Self.csv(DispatchMetricsCSV.subcontractors(figures), name: "dispatch-subcontractors.csv") }
        return try DispatchSubcontractorsAnalytics(from: from, to: to, figures: figures).response(from: request, context: context)
    }

    /// `from`, `to` (days in `tz`, or RFC 3339 times; at most 366 days) and the format.
    private static func parameters(_ request: Request) throws -> (Date, Date, AnalyticsController.Format) {
        let parameters = QueryParameters(request)
        let zoneName = parameters.string("tz") ?? "UTC"
        let known = zoneName == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(zoneName)
        guard known, let zone = TimeZone(identifier: zoneName) else {
            throw APIError.badQuery("tz", "tz must be an IANA time zone name, e.g. UTC or Europe/Madrid")
        }
        let range = try parameters.timeRange(in: zone)
        guard let from = range.from else { throw APIError.badQuery("from", "from is required (2026-01-01 or an RFC 3339 time)") }
        guard let to = range.to else { throw APIError.badQuery("to", "to is required (2026-01-31 or an RFC 3339 time)") }
        guard to.timeIntervalSince(from) <= Double(AnalyticsController.maxDays) * 86_400 + 3_600 else {
            throw APIError.badQuery("to", "a request covers at most \(AnalyticsController.maxDays) days")
        }
        let format = try parameters.oneOf("format", AnalyticsController.Format.self)
            ?? (AnalyticsController.prefersCSV(request) ? .csv : .json)
        return (from, to, format)
    }

    /// A CSV attachment.
    private static func csv(_ text: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
