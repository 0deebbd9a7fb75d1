import FieldlineDomain
import Foundation
import Hummingbird

/// The agent's dispatch actions (jobs:write): withdraw a job's open offers or one offer,
/// broadcast again, assign by hand. Each races safely with an Accept (docs/dispatch.md).
struct DispatchActionsController: Sendable {
    let repository: any DispatchRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("jobs/{id}/offers/withdraw", use: withdrawAll)
        group.post("offers/{id}/withdraw", use: withdrawOne)
        group.post("jobs/{id}/rebroadcast", use: rebroadcast)
        group.post("jobs/{id}/assign", use: assign)
    }

    /// Withdraws every open offer of the job and ends its round; the job is open again.
    @Sendable func withdrawAll(_ request: Request, context: AppRequestContext) async throws -> DispatchOutcome {
        let principal = try context.require(.jobsWrite)
        let id = try context.parameters.uuid("id", "job")
        _ = try await JSONBody.decode(EmptyBody.self, from: request, context: context)
        guard let outcome = try await repository.withdraw(.job(id), by: principal.reference, viewer: Viewer(principal)) else {
            throw APIError.notFound("job")
        }
        return outcome
    }

    /// Withdraws one open offer; its round moves on as after a decline.
    @Sendable func withdrawOne(_ request: Request, context: AppRequestContext) async throws -> DispatchOutcome {
        let principal = try context.require(.jobsWrite)
        let id = try context.parameters.uuid("id", "offer")
        _ = try await JSONBody.decode(EmptyBody.self, from: request, context: context)
        guard let outcome = try await repository.withdraw(.offer(id), by: principal.reference, viewer: Viewer(principal)) else {
            throw APIError.notFound("offer")
        }
        return outcome
    }

    /// Ends the job's round (withdrawing its open offers) and starts a new one; 201 like a broadcast.
    @Sendable func rebroadcast(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Broadcast> {
        let principal = try context.require(.jobsWrite)
        let id = try context.parameters.uuid("id", "job")
        let body = try await JSONBody.decode(BroadcastRequest.self, from: request, context: context)
        if let ids = body.organizationIds, ids.isEmpty || ids.count > PostgresDispatchRepository.maxOffers {
            throw ValidationError(field: "organization_ids", message: "organization_ids must name 1–\(PostgresDispatchRepository.maxOffers) organizations")
        }
        guard let broadcast = try await repository.rebroadcast(id, body, createdBy: principal.reference, viewer: Viewer(principal)) else {
            throw APIError.notFound("job")
        }
        return .created(broadcast, location: "/v1/jobs/\(id.uuidString.lowercased())/offers")
    }

    /// Gives an open or offered job to a subcontractor by hand; its open offers are withdrawn.
    @Sendable func assign(_ request: Request, context: AppRequestContext) async throws -> DispatchOutcome {
        let principal = try context.require(.jobsWrite)
        let id = try context.parameters.uuid("id", "job")
        let body = try await JSONBody.decode(AssignRequest.self, from: request, context: context)
        guard let outcome = try await repository.assign(
            id, to: body.organizationId, crew: body.crewId, by: principal.reference, viewer: Viewer(principal)) else {
            throw APIError.notFound("job")
        }
        return outcome
    }
}

/// A body with no fields (`{}` or nothing): any field is refused.
struct EmptyBody: RequestBody {
    /// No keys at all.
    struct CodingKeys: CodingKey, CaseIterable {
        static var allCases: [CodingKeys] { [] }
        let stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {}
}

/// What an agent withdraws: every open offer of a job, or one offer.
enum WithdrawTarget: Sendable {
    case job(UUID)
    case offer(UUID)
}

/// The body of `POST /v1/jobs/{id}/assign`.
struct AssignRequest: RequestBody {
    let organizationId: UUID
    let crewId: UUID?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case organizationId = "organization_id"
        case crewId = "crew_id"
    }
}

/// A job after a dispatch action: its status, its assignee, and all its offers.
struct DispatchOutcome: Encodable, Sendable {
    let jobId: UUID
    let status: String
    let organizationId: UUID?
    let crewId: UUID?
    let offers: [Offer]
}
