import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Performs what `FlowEngine` decided for a run, in the run's transaction: messages through the
/// outbox (each keyed by run, step and send number, so it is queued once whatever retries),
/// timers as delayed `flow.timer` rows, proofs through the proofs feature, handoffs through routing.
struct FlowActions: Sendable {
    let database: Database

    /// An action that cannot be done (a proof the job no longer takes): the run hands off.
    struct Failure: Error {
        let reason: String
    }

    /// Performs `action`; returns the stream events of the run's conversation.
    func perform(_ action: FlowAction, run: FlowRunRecord, definition: FlowDefinition, _ transaction: TenantTransaction) async throws -> [NewStreamEvent] {
        switch action {
        case .send(let outgoing):
            return try await send(outgoing, run: run, transaction).map { [$0] } ?? []
        case .schedule(let timer):
            try await Outbox.enqueue(
                FlowTimerJob.self, .init(runID: run.id, kind: timer.kind.rawValue, visit: timer.visit),
                availableAt: Date().addingTimeInterval(timer.minutes * 60), tenantID: transaction.tenantID,
                on: transaction.connection, logger: transaction.logger)
            return []
        case .attachProof(let stepID, let photos, let location):
            try await attachProof(stepID: stepID, photos: photos, location: location, run: run, transaction)
            return []
        case .handoff(let teamID):
            return try await handOff(run: run, teamID: teamID, saying: nil, transaction)
        case .callHTTP(let stepID, let visit):
            try await Outbox.enqueue(
                FlowHTTPJob.self, .init(runID: run.id, stepID: stepID, visit: visit), tenantID: transaction.tenantID,
                on: transaction.connection, logger: transaction.logger)
            return []
        }
    }

    /// Queues one message of the run, unless its key (run, step, send number) was used before.
    func send(_ outgoing: FlowOutgoing, run: FlowRunRecord, _ transaction: TenantTransaction) async throws -> NewStreamEvent? {
        let tenantID = transaction.tenantID
        let content = outgoing.content
        let body = content.text.map { String($0.prefix(MessageLimits.maxBodyCharacters)) }
        let sent = try await transaction.query("""
            WITH key AS (
                INSERT INTO flow_run_sends (tenant_id, run_id, step_id, sequence, message_id)
                VALUES (\(tenantID), \(run.id), \(outgoing.stepID), \(outgoing.sequence), \(UUIDv7.make()))
                ON CONFLICT DO NOTHING
                RETURNING message_id
            ), message AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, delivery_status)
                SELECT \(tenantID), key.message_id, \(run.conversationID), 'outbound', \(content.kind.rawValue), \(body),
                       \(ReplyPayload(content).json)::jsonb, 'queued'
                FROM key
                RETURNING tenant_id, id, conversation_id
            ), queued AS (
                \(unescaped: RoutingEngine.queueMessage)
            )
            SELECT id FROM message
            """
        ).first { try $0.decode(UUID.self) }
        return sent.map { NewStreamEvent.messageCreated($0, in: run.conversationID, direction: .outbound, kind: content.kind) }
    }

    /// Puts the run's conversation in `teamID`'s queue (the routing fallback team when nil), after
    /// saying `text`; the run is over, so the bot is quiet from now on.
    func handOff(run: FlowRunRecord, teamID: String?, saying text: String?, _ transaction: TenantTransaction) async throws -> [NewStreamEvent] {
        let tenantID = transaction.tenantID
        var events: [NewStreamEvent] = []
        if let text {
            events.append(try await RoutingEngine(logger: transaction.logger).systemMessage(text, to: run.conversationID, tenantID: tenantID, transaction.connection))
        }
        try await transaction.query("""
            INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, data)
            VALUES (\(tenantID), \(UUIDv7.make()), \(run.conversationID), 'flow_handoff',
                    jsonb_build_object('flow_run_id', \(run.id.uuidString.lowercased())::text, 'team_id', \(teamID)::text))
            """)
        let settings = try await RoutingSettings.load(tenantID: tenantID, transaction.connection, logger: transaction.logger)
        guard let team = teamID.flatMap(UUID.init(uuidString:)) ?? settings?.fallbackTeamID else {
            // No team to hand to: the conversation waits, unassigned, for any agent.
            try await transaction.query("""
                UPDATE conversations SET routing_state = 'queued', queued_at = \(unescaped: CitusWrites.enabled ? "least(queued_at, now())" : "coalesce(queued_at, now())")
                WHERE tenant_id = \(tenantID) AND id = \(run.conversationID)
                """)
            return events
        }
        let routing = RoutingEngine(logger: transaction.logger)
        return events + (try await routing.route(
            run.conversationID, to: team, because: ["flow_run_id": run.id.uuidString.lowercased()],
            settings: settings ?? RoutingSettings.disabled, tenantID: tenantID, transaction.connection))
    }

    /// The photos (inbound message ids) and location collected become a proof on the run's job,
    /// through the proofs feature: the photos' media with their evidence facts, the location
    /// the member shared, the crew code.
    func attachProof(stepID: String, photos: [String], location: FlowValue?, run: FlowRunRecord, _ transaction: TenantTransaction) async throws {
        guard let jobID = run.jobID else { throw Failure(reason: "the run has no job to attach a proof to") }
        let messageIDs = photos.compactMap(UUID.init(uuidString:))
        let media = try await transaction.query("""
            SELECT md.id FROM unnest(\(messageIDs)::uuid[]) WITH ORDINALITY p(message_id, position)
            JOIN media md ON md.tenant_id = \(transaction.tenantID) AND md.message_id = p.message_id
            ORDER BY p.position
            """
        ).collect { try $0.decode(UUID.self) }
        var point: GeoPoint?
        if case .object(let fields)? = location, let latitude = fields["latitude"]?.number, let longitude = fields["longitude"]?.number {
            point = try? GeoPoint.ifBoth(latitude: latitude, longitude: longitude)
        }
        let crewCode = run.state.variables["crew_code"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let proof = NewProof(messageIDs: [], mediaIDs: media, location: point, crewCode: crewCode, note: nil)
        let viewer = Viewer(tenantID: transaction.tenantID, restrictedToUser: nil, userID: nil)
        do {
            let recorded = try await PostgresProofsRepository(database: database).record(
                proof, forJob: jobID, submittedBy: "flow_run:\(run.id.uuidString.lowercased())", viewer: viewer, on: transaction.connection)
            guard recorded != nil else { throw Failure(reason: "the job of the run is gone") }
        } catch let error as APIError {
            throw Failure(reason: error.message)
        } catch let error as ValidationError {
            throw Failure(reason: error.message)
        }
    }
}
