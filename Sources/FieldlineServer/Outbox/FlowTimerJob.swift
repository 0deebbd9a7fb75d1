import FieldlineDomain
import Foundation
import PostgresNIO

/// `flow.timer`: a flow run's reminder or timeout falling due (docs/flows.md#timers). Queued
/// with the run's wait, due after the step's minutes; since it is an outbox row it fires after a
/// restart or a deploy. The timer names the visit it was set for, so one that fires after the
/// member answered (or twice) changes nothing. Nothing to undo when it dies.
struct FlowTimerJob: OutboxJob {
    static let topic = "flow.timer"

    struct Payload: Codable, Sendable, Equatable {
        let runID: UUID
        /// `reminder` or `timeout`.
        let kind: String
        /// The run's visit (`FlowRunState.visit`) the timer was set for.
        let visit: Int

        enum CodingKeys: String, CodingKey { case runID = "run_id", kind, visit }
    }

    let database: Database

    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        guard let kind = FlowTimer.Kind(rawValue: payload.kind) else {
            throw SendFailure.permanent("the flow.timer payload's kind '\(payload.kind)' is neither reminder nor timeout")
        }
        try await database.withTenantTransaction(item.tenantID) { transaction in
            try await OutboxStore.complete(item.id, on: transaction.connection, logger: transaction.logger)
            guard var run = try await FlowRunRecord.lockWithConversation(payload.runID, transaction), run.state.status == .waiting else { return }
            let event: FlowEvent = kind == .reminder ? .reminder(visit: payload.visit) : .timeout(visit: payload.visit)
            transaction.stream(try await FlowRuntime(database: database).handle(event, &run, transaction))
        }
    }
}
