import FieldlineDomain
import Foundation
import PostgresNIO

/// What a run's history row says happened (`flow_run_history.event`, sql/095).
enum FlowRunEvent: String, Sendable, Codable {
    case start, answer, reminder, timeout, pause, resume, stop, restart
    case httpResult = "http_result"

    init(_ event: FlowEvent) {
        switch event {
        case .start: self = .start
        case .answer: self = .answer
        case .reminder: self = .reminder
        case .timeout: self = .timeout
        case .httpResult: self = .httpResult
        case .stop: self = .stop
        case .resume: self = .resume
        case .restart: self = .restart
        }
    }

    /// Who causes it when the caller names nobody.
    var defaultActor: String {
        switch self {
        case .answer: "member"
        case .reminder, .timeout: "timer"
        case .httpResult: "http"
        case .start, .pause, .resume, .stop, .restart: "system"
        }
    }
}

extension FlowRunRecord {
    /// Appends a row to the run's history: the event, the step and status it left the run in, and
    /// the proof it was about (a rejected proof that restarted the run).
    func record(_ event: FlowRunEvent, actor: String, proofID: UUID? = nil, _ transaction: TenantTransaction) async throws {
        try await transaction.query("""
            INSERT INTO flow_run_history (tenant_id, run_id, id, event, step_id, status, actor, proof_id)
            VALUES (\(transaction.tenantID), \(id), \(UUIDv7.make()), \(event.rawValue), \(state.stepID), \(state.status.rawValue), \(actor),
                    \(proofID))
            """)
    }

    /// The stream events of the run after `event` moved it from `before`: started, advanced (a
    /// new step, or paused or resumed), handed off, ended.
    func streamEvents(after event: FlowEvent, from before: FlowRunState) -> [NewStreamEvent] {
        var kinds: [StreamEventKind] = event == .start ? [.flowRunStarted] : []
        switch state.status {
        case .handedOff: kinds.append(.flowRunHandedOff)
        case .completed, .stopped, .failed: kinds.append(.flowRunEnded)
        case .waiting, .paused:
            if event != .start, state.stepID != before.stepID || state.status != before.status || state.visit != before.visit {
                kinds.append(.flowRunAdvanced)
            }
        }
        return kinds.map { streamEvent($0) }
    }

    /// One stream event about this run, with its current step and status.
    func streamEvent(_ kind: StreamEventKind) -> NewStreamEvent {
        Self.streamEvent(kind, runID: id, flowID: flowID, conversationID: conversationID, status: state.status.rawValue, stepID: state.stepID)
    }

    static func streamEvent(_ kind: StreamEventKind, runID: UUID, flowID: UUID, conversationID: UUID, status: String, stepID: String?) -> NewStreamEvent {
        NewStreamEvent(kind: kind, conversationID: conversationID, data: [
            "flow_run_id": .id(runID), "flow_id": .id(flowID), "status": .string(status), "step_id": stepID.map(StreamValue.string) ?? .null,
        ])
    }
}
