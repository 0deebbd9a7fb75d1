import FieldlineDomain
import Foundation
import Hummingbird

/// The case of one job, in time order: every status change of the job and its offers (who,
/// when), the conversations its offers, answers and proofs went through, their messages about
/// it, and its proofs — across every organization involved, within what the viewer may see.
struct CaseTimeline: ResponseEncodable, Sendable {
    let job: CaseJob
    /// Oldest first.
    let data: [CaseTimelineEntry]
    /// Conversations of the case the viewer may not see (left out, with their messages).
    let hiddenConversations: Int
}

/// The job a case timeline is about, as it is now.
struct CaseJob: Encodable, Sendable {
    let id: UUID
    let orderNumber: String
    let title: String
    let status: String
    let organizationId: UUID?
    let crewId: UUID?
    let conversationId: UUID?
    let createdBy: String
    let createdAt: Date
}

/// One thing that happened in a case. `type` says which fields are set.
struct CaseTimelineEntry: Encodable, Sendable {
    /// `job.created`, `job.status_changed`, `offer.sent`, `offer.status_changed`,
    /// `conversation.opened`, `conversation.closed`, `message`, `proof.submitted`, `proof.reviewed`,
    /// `flow_run.restarted`.
    let type: String
    let at: Date
    /// Who did it: `user:<id>`, `api_key:<id>`, `member:<id>`, or `system` (a timer, a provider's report).
    var actor: String? = nil
    var fromStatus: String? = nil
    var toStatus: String? = nil
    var organizationId: UUID? = nil
    var organizationName: String? = nil
    var crewId: UUID? = nil
    var offerId: UUID? = nil
    var round: Int? = nil
    var conversationId: UUID? = nil
    var memberId: UUID? = nil
    var memberName: String? = nil
    var messageId: UUID? = nil
    var direction: String? = nil
    var kind: String? = nil
    var text: String? = nil
    var deliveryStatus: String? = nil
    var proofId: UUID? = nil
    var crewCode: String? = nil
    var reviewState: String? = nil
    /// On `proof.reviewed`: the reason given with a rejection.
    var reviewReason: String? = nil
    /// On `flow_run.restarted`: the crew's run a rejection sent back to its photo step, that
    /// step, and the run's status after it (`waiting`, or `paused` while an agent has the conversation).
    var flowRunId: UUID? = nil
    var stepId: String? = nil
    var flowRunStatus: String? = nil
    /// Orders entries of the same instant as they were written.
    var sequence: Int = 0

    enum CodingKeys: String, CodingKey {
        case type, at, actor, fromStatus, toStatus, organizationId, organizationName, crewId, offerId, round
        case conversationId, memberId, memberName, messageId, direction, kind, text, deliveryStatus, proofId, crewCode, reviewState, reviewReason
        case flowRunId, stepId, flowRunStatus
    }
}

/// Reads a job's case timeline.
protocol CaseTimelineRepository: Sendable {
    /// The timeline of the job `id` (or with `orderNumber`), or nil when the viewer cannot see it.
    func timeline(of job: CaseReference, viewer: Viewer) async throws -> CaseTimeline?
}

/// How a case is named: by job id or by the tenant's order number.
enum CaseReference: Sendable {
    case id(UUID)
    case orderNumber(String)
}

/// `GET /v1/jobs/{id}/timeline` and `GET /v1/jobs/timeline?order_number=` (jobs:read).
struct CaseTimelineController: Sendable {
    let repository: any CaseTimelineRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("jobs/timeline", use: byOrderNumber)
        group.get("jobs/{id}/timeline", use: byID)
    }

    /// The case of a job by its id.
    @Sendable func byID(_ request: Request, context: AppRequestContext) async throws -> CaseTimeline {
        let principal = try context.require(.jobsRead)
        let id = try context.parameters.uuid("id", "job")
        guard let timeline = try await repository.timeline(of: .id(id), viewer: Viewer(principal)) else { throw APIError.notFound("job") }
        return timeline
    }

    /// The case of a job by its order number.
    @Sendable func byOrderNumber(_ request: Request, context: AppRequestContext) async throws -> CaseTimeline {
        let principal = try context.require(.jobsRead)
        guard let orderNumber = QueryParameters(request).string("order_number"), !orderNumber.isEmpty, orderNumber.count <= 100 else {
            throw APIError.badQuery("order_number", "order_number is required (1–100 characters)")
        }
        guard let timeline = try await repository.timeline(of: .orderNumber(orderNumber), viewer: Viewer(principal)) else {
            throw APIError.notFound("job")
        }
        return timeline
    }
}
