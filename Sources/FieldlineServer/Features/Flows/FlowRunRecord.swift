import FieldlineDomain
import Foundation
import PostgresNIO

/// A flow run as the runtime reads and writes it: its row in `flow_runs` and its state.
struct FlowRunRecord: Sendable {
    let id: UUID
    let flowID: UUID
    let version: Int
    let memberID: UUID
    let conversationID: UUID
    let jobID: UUID?
    var state: FlowRunState

    static let columns = "r.id, r.flow_id, r.version, r.member_id, r.conversation_id, r.job_id, r.state::text"

    init(row: PostgresRow) throws {
        let (id, flowID, version, memberID, conversationID, jobID, state) = try row.decode((UUID, UUID, Int, UUID, UUID, UUID?, String).self)
        self.id = id
        self.flowID = flowID
        self.version = version
        self.memberID = memberID
        self.conversationID = conversationID
        self.jobID = jobID
        self.state = try JSONDecoder().decode(FlowRunState.self, from: Data(state.utf8))
    }

    /// The run waiting in `conversationID` (not paused, not over), locked until commit.
    static func lockWaiting(in conversationID: UUID, _ transaction: TenantTransaction) async throws -> FlowRunRecord? {
        try await transaction.query("""
            SELECT \(unescaped: columns) FROM flow_runs r
            WHERE r.tenant_id = \(transaction.tenantID) AND r.conversation_id = \(conversationID) AND r.status = 'waiting'
            FOR UPDATE
            """
        ).first(FlowRunRecord.init(row:))
    }

    /// Whether a run is under way (waiting or paused) in `conversationID`.
    static func underWay(in conversationID: UUID, _ transaction: TenantTransaction) async throws -> Bool {
        try await transaction.query("""
            SELECT 1 FROM flow_runs WHERE tenant_id = \(transaction.tenantID) AND conversation_id = \(conversationID)
              AND status IN ('waiting', 'paused')
            """
        ).any()
    }

    /// The run `id`, locked until commit.
    static func lock(_ id: UUID, _ transaction: TenantTransaction) async throws -> FlowRunRecord? {
        try await transaction.query(
            "SELECT \(unescaped: columns) FROM flow_runs r WHERE r.tenant_id = \(transaction.tenantID) AND r.id = \(id) FOR UPDATE"
        ).first(FlowRunRecord.init(row:))
    }

    /// The run `id`, not locked.
    static func read(_ id: UUID, _ transaction: TenantTransaction) async throws -> FlowRunRecord? {
        try await transaction.query(
            "SELECT \(unescaped: columns) FROM flow_runs r WHERE r.tenant_id = \(transaction.tenantID) AND r.id = \(id)"
        ).first(FlowRunRecord.init(row:))
    }

    /// The run `id`, locked after its conversation, in the order ingest locks them (conversation,
    /// then run), so a timer and the member's answer never deadlock.
    static func lockWithConversation(_ id: UUID, _ transaction: TenantTransaction) async throws -> FlowRunRecord? {
        let conversation = try await transaction.query(
            "SELECT conversation_id FROM flow_runs WHERE tenant_id = \(transaction.tenantID) AND id = \(id)"
        ).first { try $0.decode(UUID.self) }
        guard let conversation else { return nil }
        try await transaction.query(
            "SELECT 1 FROM conversations WHERE tenant_id = \(transaction.tenantID) AND id = \(conversation) FOR NO KEY UPDATE")
        return try await lock(id, transaction)
    }

    /// Pauses the run waiting in a conversation: an agent replied, so the bot stays quiet until
    /// the run is resumed or stopped. Records the pause in the run's history and returns the
    /// stream event saying so (nil when no run was waiting).
    static func pauseWaiting(
        in conversationID: UUID, tenantID: UUID, by actor: String, _ connection: PostgresConnection, logger: Logger
    ) async throws -> NewStreamEvent? {
        try await halt(.pause, in: conversationID, tenantID: tenantID, by: actor, connection, logger: logger)
    }

    /// Stops the run under way in a conversation that is being closed: nobody will answer it there.
    static func stopUnderWay(
        in conversationID: UUID, tenantID: UUID, by actor: String, _ connection: PostgresConnection, logger: Logger
    ) async throws -> NewStreamEvent? {
        try await halt(.stop, in: conversationID, tenantID: tenantID, by: actor, connection, logger: logger)
    }

    /// Pauses (a waiting run) or stops (a waiting or paused one) the run in a conversation, with
    /// its history row, in one statement; the stream event, or nil when there was none.
    private static func halt(
        _ event: FlowRunEvent, in conversationID: UUID, tenantID: UUID, by actor: String, _ connection: PostgresConnection, logger: Logger
    ) async throws -> NewStreamEvent? {
        let stopping = event == .stop
        let status = stopping ? FlowRunStatus.stopped : .paused
        let halted = try await connection.query("""
            WITH halted AS (
                UPDATE flow_runs SET status = \(status.rawValue), updated_at = now(),
                    step_id = CASE WHEN \(stopping) THEN NULL ELSE step_id END,
                    ended_at = \(caseWhen: stopping, then: "now()", onCitus: "now()"),
                    state = CASE WHEN \(stopping) THEN jsonb_set(state, '{step_id}', 'null') ELSE state END
                            || jsonb_build_object('status', \(status.rawValue)::text)
                WHERE tenant_id = \(tenantID) AND conversation_id = \(conversationID)
                  AND (status = 'waiting' OR (\(stopping) AND status = 'paused'))
                RETURNING tenant_id, id, flow_id, step_id
            ), history AS (
                INSERT INTO flow_run_history (tenant_id, run_id, id, event, step_id, status, actor)
                SELECT tenant_id, id, \(UUIDv7.make()), \(event.rawValue), step_id, \(status.rawValue), \(actor) FROM halted
                RETURNING 1
            )
            SELECT id, flow_id, step_id FROM halted
            """, logger: logger
        ).first { try $0.decode((UUID, UUID, String?).self) }
        return halted.map { run, flow, step in
            streamEvent(stopping ? .flowRunEnded : .flowRunAdvanced, runID: run, flowID: flow, conversationID: conversationID,
                        status: status.rawValue, stepID: step)
        }
    }

    /// Saves the state (and the status and step it holds).
    func save(_ transaction: TenantTransaction) async throws {
        try await transaction.query("""
            UPDATE flow_runs SET state = \(Self.json(state))::jsonb, status = \(state.status.rawValue), step_id = \(state.stepID),
                updated_at = now(), ended_at = \(caseWhen: state.status.isOver, then: "coalesce(ended_at, now())", onCitus: "least(ended_at, now())")
            WHERE tenant_id = \(transaction.tenantID) AND id = \(id)
            """)
    }

    /// The definition of the version the run pinned.
    func definition(_ transaction: TenantTransaction) async throws -> FlowDefinition {
        try await Self.definition(flowID, version: version, transaction)
    }

    static func definition(_ flowID: UUID, version: Int, _ transaction: TenantTransaction) async throws -> FlowDefinition {
        let text = try await transaction.query("""
            SELECT definition::text FROM flow_versions WHERE tenant_id = \(transaction.tenantID) AND flow_id = \(flowID) AND version = \(version)
            """
        ).first { try $0.decode(String.self) }
        guard let text else { throw MissingRowError(what: "flow version") }
        return try JSONDecoder().decode(FlowDefinition.self, from: Data(text.utf8))
    }

    static func json(_ state: FlowRunState) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(state)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
