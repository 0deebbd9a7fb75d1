import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Runs flows inside the caller's transaction: starts a run, feeds it an event (an answer, a
/// timer, an HTTP result) through `FlowEngine`, performs the actions and saves the new state,
/// all in that one transaction. Returns the stream events of the run's conversation, which the
/// caller publishes (the inbound pipeline after the member's own message).
struct FlowRuntime: Sendable {
    let database: Database

    /// Why a run could not start.
    enum StartRefusal: Error, Equatable {
        /// Another run is under way in the member's conversation.
        case runUnderWay
    }

    /// Starts a run of `flowID`'s current version for `memberID` in `conversationID` (locked by
    /// the caller or just opened), about `jobID`. Throws `StartRefusal.runUnderWay` when the
    /// conversation already has one, and a 422 when the flow needs a job and none is given.
    func start(
        flowID: UUID, memberID: UUID, conversationID: UUID, jobID: UUID?, startedBy: String, _ transaction: TenantTransaction
    ) async throws -> (run: UUID, events: [NewStreamEvent]) {
        let tenantID = transaction.tenantID
        let version = try await transaction.query(
            "SELECT current_version FROM flows WHERE tenant_id = \(tenantID) AND id = \(flowID)"
        ).first { try $0.decode(Int.self) }
        guard let version else { throw APIError.notFound("flow") }
        let definition = try await FlowRunRecord.definition(flowID, version: version, transaction)
        if definition.needsJob, jobID == nil {
            throw ValidationError(field: "job_id", code: "missing_field", message: "this flow attaches a proof or names the job: give job_id")
        }
        let variables = try await FlowContext.variables(memberID: memberID, jobID: jobID, transaction)
        let id = UUIDv7.make()
        let state = FlowRunState(variables: variables)
        let inserted = try await transaction.query("""
            INSERT INTO flow_runs (tenant_id, id, flow_id, version, member_id, conversation_id, job_id, status, state, started_by)
            VALUES (\(tenantID), \(id), \(flowID), \(version), \(memberID), \(conversationID), \(jobID), 'waiting',
                    \(FlowRunRecord.json(state))::jsonb, \(startedBy))
            ON CONFLICT (tenant_id, conversation_id) WHERE status IN ('waiting', 'paused') DO NOTHING
            RETURNING id
            """
        ).any()
        guard inserted else { throw StartRefusal.runUnderWay }
        guard var run = try await FlowRunRecord.lock(id, transaction) else { throw MissingRowError(what: "new flow run") }
        let events = try await handle(.start, &run, definition: definition, actor: startedBy, transaction)
        return (id, events)
    }

    /// Feeds `event` to `run` (locked by the caller), performs the actions and saves the state.
    /// `actor` is who caused it, for the run's history (by default the member for an answer, the
    /// clock for a timer, `http` for a call's result); `proofID` the proof it is about, for the
    /// history (a rejection's restart).
    func handle(
        _ event: FlowEvent, _ run: inout FlowRunRecord, actor: String? = nil, proofID: UUID? = nil, _ transaction: TenantTransaction
    ) async throws -> [NewStreamEvent] {
        try await handle(event, &run, definition: try await run.definition(transaction), actor: actor, proofID: proofID, transaction)
    }

    private func handle(
        _ event: FlowEvent, _ run: inout FlowRunRecord, definition: FlowDefinition, actor: String?, proofID: UUID? = nil,
        _ transaction: TenantTransaction
    ) async throws -> [NewStreamEvent] {
        let engine = FlowEngine(definition: definition, today: CalendarDay(parsing: String(RFC3339.format(Date()).prefix(10))))
        let outcome = engine.handle(event, run.state)
        // A stale timer, an answer to a run that is over: nothing happened, nothing to record.
        guard outcome.state != run.state || !outcome.actions.isEmpty || event == .start else { return [] }
        let before = run.state
        run.state = outcome.state
        var events: [NewStreamEvent] = []
        for action in outcome.actions {
            do {
                events += try await FlowActions(database: database).perform(action, run: run, definition: definition, transaction)
            } catch let failure as FlowActions.Failure {
                // A proof the job no longer takes (cancelled meanwhile): people take over, and
                // the rest of what the engine decided (its thanks) is not said.
                transaction.logger.notice("flow run handed off: \(failure.reason)", metadata: ["flow_run_id": .string(run.id.uuidString.lowercased())])
                run.state.status = .handedOff
                run.state.stepID = nil
                events += try await FlowActions(database: database).handOff(
                    run: run, teamID: definition.handoffTeamID, saying: "We could not record this; a dispatcher will contact you.", transaction)
                break
            }
        }
        try await run.save(transaction)
        try await run.record(FlowRunEvent(event), actor: actor ?? FlowRunEvent(event).defaultActor, proofID: proofID, transaction)
        let stream = run.streamEvents(after: event, from: before)
        // The start comes before the run's first messages; what it led to, after them.
        return stream.filter { $0.kind == .flowRunStarted } + events + stream.filter { $0.kind != .flowRunStarted }
    }
}
