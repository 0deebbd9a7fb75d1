import FieldlineDomain
import Foundation
import Hummingbird

/// Dispatch: finding who could take a job (`GET /v1/jobs/{id}/candidates`); broadcasting offers
/// to them comes next (docs/dispatch.md).
struct DispatchController: Sendable {
    let repository: any DispatchRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("jobs/{id}/candidates", use: candidates)
    }

    /// Subcontractors covering the job's site, nearest first, with the distance in metres.
    @Sendable func candidates(_ request: Request, context: AppRequestContext) async throws -> CandidateList {
        let principal = try context.require(.jobsRead)
        let id = try context.parameters.uuid("id", "job")
        let query = QueryParameters(request)
        var filter = CandidateFilter(within: try query.uuid("organization_id"))
        if let limit = try query.int("limit", range: 1...200) { filter.limit = limit }
        guard let candidates = try await repository.candidates(for: id, filter: filter, viewer: Viewer(principal)) else {
            throw APIError.notFound("job")
        }
        return CandidateList(data: candidates)
    }
}

/// The candidates of a job, nearest first (one page: `limit` bounds it).
struct CandidateList: ResponseEncodable, Sendable {
    let data: [Candidate]
}
