import FieldlineDomain
import Foundation
import Hummingbird

/// Dispatch: finding who could take a job (`GET /v1/jobs/{id}/candidates`), offering it to them
/// (`POST /v1/jobs/{id}/broadcast`) and following the offers (`GET /v1/jobs/{id}/offers`); the
/// answers arrive as messages (`AnswerOffer`, docs/dispatch.md).
struct DispatchController: Sendable {
    let repository: any DispatchRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("jobs/{id}/candidates", use: candidates)
        group.post("jobs/{id}/broadcast", use: broadcast)
        group.get("jobs/{id}/offers", use: offers)
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

extension DispatchController {
    /// Offers the job to its candidates; 201 with the round's offers.
    @Sendable func broadcast(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Broadcast> {
        let principal = try context.require(.jobsWrite)
        let id = try context.parameters.uuid("id", "job")
        let body = try await JSONBody.decode(BroadcastRequest.self, from: request, context: context)
        if let ids = body.organizationIds, ids.isEmpty || ids.count > PostgresDispatchRepository.maxOffers {
            throw ValidationError(field: "organization_ids", message: "organization_ids must name 1–\(PostgresDispatchRepository.maxOffers) organizations")
        }
        guard let broadcast = try await repository.broadcast(
            id, body, createdBy: principal.reference, viewer: Viewer(principal)) else { throw APIError.notFound("job") }
        return .created(broadcast, location: "/v1/jobs/\(id.uuidString)/offers")
    }

    /// The job's offers with their states, recipients and times.
    @Sendable func offers(_ request: Request, context: AppRequestContext) async throws -> OfferList {
        let principal = try context.require(.jobsRead)
        let id = try context.parameters.uuid("id", "job")
        guard let offers = try await repository.offers(of: id, viewer: Viewer(principal)) else { throw APIError.notFound("job") }
        return OfferList(data: offers)
    }
}

/// The candidates of a job, nearest first (one page: `limit` bounds it).
struct CandidateList: ResponseEncodable, Sendable {
    let data: [Candidate]
}
