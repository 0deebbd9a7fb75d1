import Foundation

/// What happened, as named in the stream's JSON `type` and in `stream_events.kind`.
enum StreamEventKind: String, Sendable, Codable {
    /// A message was stored: inbound, an outbound reply, or an internal note.
    case messageCreated = "message.created"
    /// A member's message opened a new conversation.
    case conversationOpened = "conversation.opened"
    /// The conversation was assigned or transferred (to an agent and/or a team).
    case conversationAssigned = "conversation.assigned"
    /// The conversation was closed and archived.
    case conversationClosed = "conversation.closed"
    /// A tag was added or removed.
    case conversationTagsChanged = "conversation.tags_changed"
    /// The status changed other than by closing (e.g. pending → open).
    case conversationStatusChanged = "conversation.status_changed"
    /// A member accepted an offer (in the member's conversation; data: job, offer, subcontractor).
    case offerAccepted = "offer.accepted"
    /// A member declined an offer.
    case offerDeclined = "offer.declined"
    /// An offer expired unanswered (in each recipient's conversation).
    case offerExpired = "offer.expired"
    /// An offer was withdrawn: another one won, the agent withdrew it, or the job left `offered`.
    case offerWithdrawn = "offer.withdrawn"
    /// A provider reported the offer's message delivered to a recipient's phone (in that
    /// recipient's conversation, keyed by the job too).
    case offerDelivered = "offer.delivered"
    /// A provider reported the offer's message read by a recipient (as `offer.delivered`).
    case offerRead = "offer.read"
    /// A job was created (keyed by the job; data: job, order number, status).
    case jobCreated = "job.created"
    /// A broadcast round offered the job (keyed by the job; data adds the round and its offers).
    case jobOffered = "job.offered"
    /// A job was assigned by an accepted offer (data adds the crew, when the member has one).
    case jobAssigned = "job.assigned"
    /// The job's crew started it (`PATCH … in_progress`; keyed by the job).
    case jobStarted = "job.started"
    /// The job was completed (keyed by the job).
    case jobCompleted = "job.completed"
    /// The job was cancelled (keyed by the job).
    case jobCancelled = "job.cancelled"
    /// Nobody took the job: it is `open` again (in the conversations its last round reached).
    case jobReopened = "job.reopened"
    /// The job's window ended before anyone took it: it is `expired`.
    case jobExpired = "job.expired"
    /// A flow run started in the conversation (data: run, flow, status, step).
    case flowRunStarted = "flow_run.started"
    /// A flow run moved to another step, or was paused or resumed.
    case flowRunAdvanced = "flow_run.advanced"
    /// A flow run handed the conversation to people: the bot is quiet.
    case flowRunHandedOff = "flow_run.handed_off"
    /// A flow run ended: completed, stopped or failed.
    case flowRunEnded = "flow_run.ended"
}

/// One event to append in the transaction of the change that causes it.
struct NewStreamEvent: Sendable {
    /// What happened.
    let kind: StreamEventKind
    /// The conversation it happened to; nil for an event of a job alone.
    let conversationID: UUID?
    /// The job it happened to, when it is a job's event: whoever may see the job receives it,
    /// as well as whoever may see the conversation.
    var jobID: UUID? = nil
    /// The message, for `message.created`.
    var messageID: UUID? = nil
    /// Who held the conversation before an assignment, so they learn it left them.
    var priorAssigneeID: UUID? = nil
    /// The team that held it before an assignment.
    var priorTeamID: UUID? = nil
    /// Small facts about the change (ids, statuses, tags), as a JSON object; never message bodies.
    var data: [String: StreamValue] = [:]
}

/// A JSON value kept in an event's `data`.
enum StreamValue: Sendable, Equatable, Encodable {
    case string(String)
    case bool(Bool)
    case strings([String])
    case null

    /// A UUID as the API's JSON writes it, or null.
    static func id(_ value: UUID?) -> StreamValue {
        value.map { .string($0.uuidString.lowercased()) } ?? .null
    }

    /// Encodes the plain JSON value.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .strings(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
