import FieldlineChannels
import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A flow run as the API shows it (`/v1/flow-runs`): the flow and version it pinned, whose
/// conversation and job it runs in, the step it waits on, its variables, and (one run read
/// alone) its history.
struct FlowRun: ResponseEncodable, Sendable {
    let id: UUID
    let flowId: UUID
    let flowName: String
    let version: Int
    let memberId: UUID
    let conversationId: UUID
    let jobId: UUID?
    let status: FlowRunStatus
    /// The step the run waits on; null once over.
    let stepId: String?
    let variables: JSONValue
    let startedBy: String
    let createdAt: Date
    let updatedAt: Date
    let endedAt: Date?
    /// What happened to the run, oldest first: only on `GET /v1/flow-runs/{id}`.
    var history: [FlowRunHistoryEntry]?

    /// The columns `init(row:)` reads, from `flow_runs r` joined to `flows f`.
    static let columns = """
        r.id, r.flow_id, f.name, r.version, r.member_id, r.conversation_id, r.job_id, r.status, r.step_id,
        coalesce(r.state->'variables', '{}')::text, r.started_by, r.created_at, r.updated_at, r.ended_at
        """

    init(row: PostgresRow) throws {
        let (id, flowID, flowName, version, memberID, conversationID, jobID, status, stepID, variables, startedBy, createdAt, updatedAt, endedAt) =
            try row.decode((UUID, UUID, String, Int, UUID, UUID, UUID?, String, String?, String, String, Date, Date, Date?).self)
        self.id = id
        self.flowId = flowID
        self.flowName = flowName
        self.version = version
        self.memberId = memberID
        self.conversationId = conversationID
        self.jobId = jobID
        self.status = FlowRunStatus(rawValue: status) ?? .failed
        self.stepId = stepID
        self.variables = JSONValue(parsing: Array(variables.utf8)) ?? .object([:])
        self.startedBy = startedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.endedAt = endedAt
        self.history = nil
    }
}

/// One event of a run's history.
struct FlowRunHistoryEntry: Encodable, Sendable {
    let event: String
    /// The step the run waited on after it (null once over) and its status then.
    let stepId: String?
    let status: String
    /// `member`, `timer`, `http`, `user:<id>`, `api_key:<id>`, `trigger:<kind>`, `system` (a
    /// restart's actor is the reviewer who rejected the proof).
    let actor: String
    let at: Date
    /// On `restart`: the rejected proof that sent the run back to its photo step.
    var proofId: UUID? = nil
}

/// A run under way in a conversation, as the conversation shows it (`flow_run`).
struct ConversationFlowRun: Codable, Sendable {
    let id: UUID
    let flowId: UUID
    let flowName: String
    let status: String
    let stepId: String?

    enum CodingKeys: String, CodingKey {
        case id, flowId = "flow_id", flowName = "flow_name", status, stepId = "step_id"
    }

    /// A JSON object of the run under way in the conversation aliased `c`, as text, or NULL
    /// (with a `$tenant(r)` placeholder, see `appendFragment`).
    static func column(_ c: String) -> String {
        """
        (SELECT jsonb_build_object('id', r.id, 'flow_id', r.flow_id, 'flow_name', f.name, 'status', r.status, 'step_id', r.step_id)::text
         FROM flow_runs r JOIN flows f ON f.tenant_id = r.tenant_id AND f.id = r.flow_id
         WHERE r.tenant_id = \(c).tenant_id$tenant(r) AND r.conversation_id = \(c).id AND r.status IN ('waiting', 'paused'))
        """
    }

    /// The column's value decoded; nil when NULL.
    static func parse(_ text: String?) -> ConversationFlowRun? {
        text.flatMap { try? JSONDecoder().decode(ConversationFlowRun.self, from: Data($0.utf8)) }
    }
}

/// Which runs a list shows.
struct FlowRunFilter: Sendable {
    var flowID: UUID?
    var status: FlowRunStatus?
    var memberID: UUID?
    var jobID: UUID?
    var conversationID: UUID?
}

/// Starting, reading, stopping and resuming flow runs for the API.
protocol FlowRunsRepository: Sendable {
    /// Starts a run of `flowID` for a member (in their open conversation, opened if need be) or
    /// in a conversation, about `jobID`; the new run.
    func start(flowID: UUID, memberID: UUID?, conversationID: UUID?, jobID: UUID?, startedBy: String, viewer: Viewer) async throws -> FlowRun
    /// Runs the viewer sees, newest first.
    func list(_ filter: FlowRunFilter, page: PageRequest, viewer: Viewer) async throws -> [FlowRun]
    /// One run with its history; nil when unknown or not visible.
    func get(_ id: UUID, viewer: Viewer) async throws -> FlowRun?
    /// Stops a run under way (or resumes a paused one); nil when unknown or not visible.
    func change(_ id: UUID, _ event: FlowRunEvent, by actor: String, viewer: Viewer) async throws -> FlowRun?
}
