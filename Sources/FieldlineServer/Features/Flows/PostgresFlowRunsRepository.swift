import FieldlineDomain
import Foundation
import PostgresNIO

/// `FlowRunsRepository` on PostgreSQL. A run is seen by whoever sees its conversation
/// (`\(visibleConversations:)`), so an agent sees the runs of their conversations only.
struct PostgresFlowRunsRepository: FlowRunsRepository {
    let database: Database

    func start(flowID: UUID, memberID: UUID?, conversationID: UUID?, jobID: UUID?, startedBy: String, viewer: Viewer) async throws -> FlowRun {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            let tenantID = transaction.tenantID
            let enabled = try await transaction.query(
                "SELECT enabled FROM flows WHERE tenant_id = \(tenantID) AND id = \(flowID)"
            ).first { try $0.decode(Bool.self) }
            guard let enabled else { throw APIError.notFound("flow") }
            guard enabled else { throw APIError.conflict("flow_disabled", "the flow is turned off: publish it with \"enabled\": true first") }
            let (conversation, member) = try await conversation(memberID: memberID, conversationID: conversationID, transaction)
            guard try await VisibleConversation.exists(conversation, viewer: viewer, transaction.connection, logger: transaction.logger) else {
                throw conversationID == nil
                    ? ValidationError(field: "member_id", code: "unknown_reference", message: "member_id names no member whose conversation you can see")
                    : Self.unknownConversation
            }
            if let jobID {
                let visible = try await transaction.query(
                    "SELECT 1 FROM jobs j WHERE j.tenant_id = \(tenantID) AND j.id = \(jobID) AND \(visibleJobs: viewer)"
                ).any()
                guard visible else { throw ValidationError(field: "job_id", code: "unknown_reference", message: "job_id names no job you can see") }
            }
            do {
                let started = try await FlowRuntime(database: database).start(
                    flowID: flowID, memberID: member, conversationID: conversation, jobID: jobID, startedBy: startedBy, transaction)
                transaction.stream(started.events)
                guard let run = try await Self.fetch(started.run, viewer: Viewer(unrestricted: viewer), transaction) else {
                    throw MissingRowError(what: "new flow run")
                }
                return run
            } catch FlowRuntime.StartRefusal.runUnderWay {
                throw APIError.conflict("run_under_way", "a flow run is already under way in this conversation: stop it first", field: "conversation_id")
            }
        }
    }

    static let unknownConversation = ValidationError(
        field: "conversation_id", code: "unknown_reference", message: "conversation_id names no member's conversation you can see")

    /// The conversation to run in and its member: the one given (open), or the member's open
    /// conversation, opened when they have none (they need a way to be reached).
    private func conversation(memberID: UUID?, conversationID: UUID?, _ transaction: TenantTransaction) async throws -> (UUID, UUID) {
        let tenantID = transaction.tenantID
        if let conversationID {
            let found = try await transaction.query("""
                SELECT member_id, status FROM conversations WHERE tenant_id = \(tenantID) AND id = \(conversationID) FOR NO KEY UPDATE
                """
            ).first { try $0.decode((UUID?, String).self) }
            guard let (member, status) = found, let member else {
                throw Self.unknownConversation
            }
            if let memberID, memberID != member {
                throw ValidationError(field: "member_id", message: "member_id is not the member of conversation_id")
            }
            guard status != "closed" else {
                throw APIError.conflict("conversation_closed", "the conversation is closed: start the run for its member instead", field: "conversation_id")
            }
            return (conversationID, member)
        }
        guard let memberID else { throw ValidationError(field: "member_id", code: "missing_field", message: "give member_id or conversation_id") }
        let reachable = try await transaction.query("""
            SELECT EXISTS (SELECT 1 FROM member_identities i WHERE i.tenant_id = m.tenant_id AND i.member_id = m.id)
            FROM members m WHERE m.tenant_id = \(tenantID) AND m.id = \(memberID)
            """
        ).first { try $0.decode(Bool.self) }
        guard let reachable else { throw ValidationError(field: "member_id", code: "unknown_reference", message: "member_id names no member") }
        guard reachable else { throw ValidationError(field: "member_id", code: "unreachable", message: "the member has no identity to be written to") }
        let opened = try await transaction.rows(OpenConversationsStatement(tenantID: tenantID, conversationIDs: [UUIDv7.make()], memberIDs: [memberID]))
        transaction.stream(opened.map { NewStreamEvent(kind: .conversationOpened, conversationID: $0.0, data: ["member_id": .id($0.1)]) })
        let conversation = try await transaction.query("""
            SELECT id FROM conversations WHERE tenant_id = \(tenantID) AND member_id = \(memberID) AND status <> 'closed' FOR NO KEY UPDATE
            """
        ).first { try $0.decode(UUID.self) }
        guard let conversation else { throw MissingRowError(what: "member's open conversation") }
        return (conversation, memberID)
    }

    func list(_ filter: FlowRunFilter, page: PageRequest, viewer: Viewer) async throws -> [FlowRun] {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            try await transaction.query("""
                SELECT \(unescaped: FlowRun.columns) FROM flow_runs r
                JOIN flows f ON f.tenant_id = r.tenant_id AND f.id = r.flow_id
                JOIN conversations c ON c.tenant_id = r.tenant_id AND c.id = r.conversation_id
                WHERE r.tenant_id = \(viewer.tenantID) AND \(visibleConversations: viewer)
                  AND (\(filter.flowID)::uuid IS NULL OR r.flow_id = \(filter.flowID))
                  AND (\(filter.status?.rawValue)::text IS NULL OR r.status = \(filter.status?.rawValue))
                  AND (\(filter.memberID)::uuid IS NULL OR r.member_id = \(filter.memberID))
                  AND (\(filter.jobID)::uuid IS NULL OR r.job_id = \(filter.jobID))
                  AND (\(filter.conversationID)::uuid IS NULL OR r.conversation_id = \(filter.conversationID))
                  AND (\(page.after)::uuid IS NULL OR r.id < \(page.after))
                ORDER BY r.id DESC LIMIT \(page.fetchLimit)
                """
            ).collect(FlowRun.init(row:))
        }
    }

    func get(_ id: UUID, viewer: Viewer) async throws -> FlowRun? {
        try await database.withTenantTransaction(viewer.tenantID) { try await Self.fetch(id, viewer: viewer, $0) }
    }

    func change(_ id: UUID, _ event: FlowRunEvent, by actor: String, viewer: Viewer) async throws -> FlowRun? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            guard try await Self.fetch(id, viewer: viewer, withHistory: false, transaction) != nil,
                  var run = try await FlowRunRecord.lockWithConversation(id, transaction)
            else { return nil }
            switch event {
            case .stop:
                guard !run.state.status.isOver else {
                    throw APIError.conflict("run_over", "the run is already over (\(run.state.status.rawValue))")
                }
                transaction.stream(try await FlowRuntime(database: database).handle(.stop, &run, actor: actor, transaction))
            case .resume:
                guard run.state.status == .paused else {
                    throw APIError.conflict("run_not_paused", "only a paused run can be resumed; this one is \(run.state.status.rawValue)")
                }
                let closed = try await transaction.query(
                    "SELECT status = 'closed' FROM conversations WHERE tenant_id = \(transaction.tenantID) AND id = \(run.conversationID)"
                ).first { try $0.decode(Bool.self) } ?? true
                guard !closed else { throw APIError.conflict("conversation_closed", "the run's conversation is closed") }
                transaction.stream(try await FlowRuntime(database: database).handle(.resume, &run, actor: actor, transaction))
            default:
                throw ValidationError(field: nil, message: "a run can only be stopped or resumed")
            }
            return try await Self.fetch(id, viewer: Viewer(unrestricted: viewer), transaction)
        }
    }

    /// The run `id` if the viewer sees its conversation, with its history when asked.
    static func fetch(_ id: UUID, viewer: Viewer, withHistory: Bool = true, _ transaction: TenantTransaction) async throws -> FlowRun? {
        guard var run = try await transaction.query("""
            SELECT \(unescaped: FlowRun.columns) FROM flow_runs r
            JOIN flows f ON f.tenant_id = r.tenant_id AND f.id = r.flow_id
            JOIN conversations c ON c.tenant_id = r.tenant_id AND c.id = r.conversation_id
            WHERE r.tenant_id = \(viewer.tenantID) AND r.id = \(id) AND \(visibleConversations: viewer)
            """
        ).first(FlowRun.init(row:)) else { return nil }
        guard withHistory else { return run }
        run.history = try await transaction.query("""
            SELECT event, step_id, status, actor, created_at, proof_id FROM flow_run_history
            WHERE tenant_id = \(viewer.tenantID) AND run_id = \(id)
            ORDER BY created_at, id LIMIT 1000
            """
        ).collect { row in
            let (event, step, status, actor, at, proof) = try row.decode((String, String?, String, String, Date, UUID?).self)
            return FlowRunHistoryEntry(event: event, stepId: step, status: status, actor: actor, at: at, proofId: proof)
        }
        return run
    }
}
