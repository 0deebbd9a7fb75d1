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
        let query = try AnalyticsRequest(request)
        let figures = try await store.jobs(from: query.from, to: query.to, tenantID: principal.tenantID)
        if query.format == .csv { return AnalyticsRequest.csv(DispatchMetricsCSV.jobs(figures), name: "dispatch-jobs.csv") }
        return try DispatchJobsAnalytics(from: query.from, to: query.to, figures: figures).response(from: request, context: context)
    }

    @Sendable func subcontractors(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.analyticsRead)
        let query = try AnalyticsRequest(request)
        let figures = try await store.subcontractors(from: query.from, to: query.to, tenantID: principal.tenantID)
        if query.format == .csv {
            return AnalyticsRequest.csv(DispatchMetricsCSV.subcontractors(figures), name: "dispatch-subcontractors.csv")
        }
        return try DispatchSubcontractorsAnalytics(from: query.from, to: query.to, figures: figures).response(from: request, context: context)
    }
}
