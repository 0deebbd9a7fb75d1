import FieldlineDomain
import Foundation
import PostgresNIO

/// Giving waiting conversations to agents: oldest first, to agents who are online and under
/// their capacity, by the team's strategy.
extension RoutingEngine {
    /// What running the queues did.
    struct DrainOutcome: Sendable {
        var events: [NewStreamEvent] = []
        var assigned: Set<UUID> = []
    }

    /// Runs the queues of `teams` that are open now. Takes the tenant's routing lock.
    func drain(teams: [UUID], settings: RoutingSettings?, tenantID: UUID, _ connection: PostgresConnection) async throws -> DrainOutcome {
        var outcome = DrainOutcome()
        guard !teams.isEmpty else { return outcome }
        try await lock(tenantID, connection)
        var settings = settings
        if settings == nil { settings = try await RoutingSettings.load(tenantID: tenantID, connection, logger: logger) }
        for team in Set(teams).sorted(by: { $0.uuidString < $1.uuidString }) {
            guard let state = try await TeamRoutingState.load(team, tenantID: tenantID, connection, logger: logger),
                  state.isOpen(at: Date()) else { continue }
            let agents = try await agentLoads(of: team, tenantID: tenantID, connection)
            guard agents.contains(where: { $0.online && $0.openConversations < $0.capacity }) else { continue }
            // SKIP LOCKED: a conversation another transaction is closing or changing waits for the next run.
            // NO KEY UPDATE (like every lock on conversations): one merely referenced meanwhile, by a message
            // being stored or a stream event being published, is not skipped.
            let waiting = try await connection.query("""
                SELECT id FROM conversations
                WHERE tenant_id = \(tenantID) AND team_id = \(team) AND routing_state = 'queued' AND status <> 'closed'
                  AND assignee_id IS NULL
                ORDER BY queued_at, id LIMIT 200
                FOR NO KEY UPDATE SKIP LOCKED
                """, logger: logger
            ).collect { try $0.decode(UUID.self) }
            let plan = AssignmentPlanner.plan(
                waiting: waiting, agents: agents, strategy: state.strategy, lastAssigned: state.lastAssignedUserID)
            for assignment in plan {
                outcome.events += try await give(assignment, team: state, settings: settings, tenantID: tenantID, connection)
                outcome.assigned.insert(assignment.conversationID)
            }
            if let last = plan.last {
                try await connection.query(
                    "UPDATE teams SET last_assigned_user_id = \(last.userID) WHERE tenant_id = \(tenantID) AND id = \(team)",
                    logger: logger)
            }
        }
        return outcome
    }

    /// The teams `userID` belongs to, for running their queues when the agent frees up.
    func teams(of userID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> [UUID] {
        try await connection.query(
            "SELECT team_id FROM team_members WHERE tenant_id = \(tenantID) AND user_id = \(userID)", logger: logger
        ).collect { try $0.decode(UUID.self) }
    }

    private func agentLoads(of team: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> [AgentLoad] {
        try await connection.query(Self.agentLoadsQuery(of: team, tenantID: tenantID), logger: logger).collect { row in
            let (id, online, capacity, open) = try row.decode((UUID, Bool, Int, Int).self)
            return AgentLoad(userID: id, openConversations: open, capacity: capacity, online: online)
        }
    }

    /// The team's enabled agents with their availability, capacity and open conversations: what
    /// the routing chooses an agent from. On Citus the count names the tenant as a value too: the
    /// tenant from the outer row alone made Citus run the statement on every shard
    /// (docs/scaling.md, "Router plans").
    static func agentLoadsQuery(of team: UUID, tenantID: UUID) -> PostgresQuery {
        """
        SELECT u.id, u.availability = 'online', u.max_open_conversations,
               (SELECT count(*) FROM conversations c
                WHERE c.tenant_id = u.tenant_id\(citusTenant: "c", tenantID) AND c.assignee_id = u.id AND c.status <> 'closed')::int
        FROM team_members tm JOIN users u ON u.tenant_id = tm.tenant_id AND u.id = tm.user_id
        WHERE tm.tenant_id = \(tenantID) AND tm.team_id = \(team) AND u.disabled_at IS NULL
        """
    }

    private func give(
        _ assignment: AssignmentPlanner.Assignment, team: TeamRoutingState, settings: RoutingSettings?, tenantID: UUID,
        _ connection: PostgresConnection
    ) async throws -> [NewStreamEvent] {
        // On Citus the logged insert has a RETURNING: without one, Citus copies a data-modifying
        // CTE's rows to the shard with COPY, which row-level security refuses (docs/scaling.md).
        let agentName = try await connection.query("""
            WITH assigned AS (
                UPDATE conversations SET assignee_id = \(assignment.userID), routing_state = 'assigned'
                WHERE tenant_id = \(tenantID) AND id = \(assignment.conversationID)
                RETURNING id, queued_at
            ), logged AS (
                INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, data)
                SELECT \(tenantID), \(UUIDv7.make()), id, 'assigned',
                       jsonb_build_object('assignee_id', \(assignment.userID), 'team_id', \(team.id), 'by', 'routing',
                                          'waited_seconds', extract(epoch FROM now() - queued_at))
                FROM assigned\(unescaped: CitusWrites.returning("id"))
            )
            SELECT u.name FROM users u WHERE u.tenant_id = \(tenantID) AND u.id = \(assignment.userID)
            """, logger: logger
        ).first { try $0.decode(String.self) } ?? ""
        try await BusinessEvents.recordConversation(
            .conversationAssigned, assignment.conversationID, on: connection, tenantID: tenantID, logger: logger)
        var events = [NewStreamEvent(
            kind: .conversationAssigned, conversationID: assignment.conversationID, priorTeamID: team.id,
            data: ["assignee_id": .id(assignment.userID), "team_id": .id(team.id), "by": .string("routing"), "transfer": .bool(false)])]
        if let template = settings?.assignmentMessage {
            let text = PlaceholderText.render(template, ["agent_name": agentName, "team_name": team.name])
            events.append(try await systemMessage(text, to: assignment.conversationID, tenantID: tenantID, connection))
        }
        return events
    }
}
