import FieldlineDomain
import Foundation
import PostgresNIO

/// Team routing, queues and agent availability.
extension PostgresRoutingRepository {
    func teamRouting(_ team: UUID, tenantID: UUID) async throws -> TeamRouting? {
        try await database.withTenant(tenantID) { connection in
            try await TeamRoutingState.load(team, tenantID: tenantID, connection, logger: logger).map { TeamRouting($0) }
        }
    }

    func setTeamRouting(_ team: UUID, to input: TeamRoutingInput, tenantID: UUID) async throws -> TeamRouting? {
        let hours = try input.hours.map { String(decoding: try JSONEncoder().encode($0.intervals), as: UTF8.self) }
        return try await database.withTenant(tenantID) { connection in
            let updated = try await connection.query("""
                UPDATE teams SET assignment_strategy = \(input.strategy.rawValue), time_zone = \(input.timeZone.identifier),
                    business_hours = \(hours)::jsonb, expected_handle_minutes = \(input.expectedHandleMinutes), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(team) RETURNING id
                """, logger: logger
            ).any()
            guard updated else { return nil }
            // New hours may have opened the team: conversations waiting in it go out now.
            let outcome = try await RoutingEngine(logger: logger).drain(teams: [team], settings: nil, tenantID: tenantID, connection)
            try await StreamEventWriter.append(outcome.events, tenantID: tenantID, connection: connection, logger: logger)
            return try await TeamRoutingState.load(team, tenantID: tenantID, connection, logger: logger).map { TeamRouting($0) }
        }
    }

    func queue(of team: UUID, viewer: Viewer) async throws -> [QueueEntry]? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let state = try await TeamRoutingState.load(team, tenantID: tenantID, connection, logger: logger) else { return nil }
            if let agent = viewer.restrictedToUser {
                let member = try await connection.query(
                    "SELECT 1 FROM team_members WHERE tenant_id = \(tenantID) AND team_id = \(team) AND user_id = \(agent)", logger: logger
                ).any()
                guard member else { return nil }
            }
            // Positions count everyone waiting; the entries are those the viewer may see (a
            // supervisor scoped to an organization sees only its subtree's members).
            let rows = try await connection.query("""
                SELECT c.id, c.member_id, c.queued_at, \(unescaped: QueuePlaces.statsSQL(tenantID: tenantID, team: team)),
                       \(visibleConversations: viewer)
                FROM conversations c
                WHERE c.tenant_id = \(tenantID) AND c.team_id = \(team) AND c.routing_state = 'queued'
                  AND c.status <> 'closed' AND c.assignee_id IS NULL
                ORDER BY c.queued_at, c.id LIMIT 500
                """, logger: logger
            ).collect { try $0.decode((UUID, UUID, Date, Int, Int, Bool).self) }
            return rows.enumerated().filter { $0.element.5 }.map { index, row in
                let seconds = QueueEstimate.seconds(
                    position: index + 1, assignmentsLastHour: row.3, onlineAgents: row.4,
                    expectedHandleSeconds: Double(state.expectedHandleMinutes * 60))
                return QueueEntry(conversationId: row.0, memberId: row.1, position: index + 1, queuedAt: row.2,
                                  estimatedWaitSeconds: Int(seconds.rounded(.up)))
            }
        }
    }

    func availability(of user: UUID, tenantID: UUID) async throws -> AgentAvailability? {
        try await database.withTenant(tenantID) { try await fetchAvailability(user, tenantID: tenantID, $0) }
    }

    func setAvailability(of user: UUID, online: Bool?, capacity: Int?, tenantID: UUID) async throws -> AgentAvailability? {
        try await database.withTenant(tenantID) { connection in
            let availability = online.map { $0 ? "online" : "offline" }
            let updated = try await connection.query("""
                UPDATE users SET availability = coalesce(\(availability), availability),
                    max_open_conversations = coalesce(\(capacity), max_open_conversations)
                WHERE tenant_id = \(tenantID) AND id = \(user) RETURNING id
                """, logger: logger
            ).any()
            guard updated else { return nil }
            let routing = RoutingEngine(logger: logger)
            let teams = try await routing.teams(of: user, tenantID: tenantID, connection)
            let outcome = try await routing.drain(teams: teams, settings: nil, tenantID: tenantID, connection)
            try await StreamEventWriter.append(outcome.events, tenantID: tenantID, connection: connection, logger: logger)
            return try await fetchAvailability(user, tenantID: tenantID, connection)
        }
    }

    private func fetchAvailability(_ user: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> AgentAvailability? {
        try await connection.query(Self.availabilityQuery(of: user, tenantID: tenantID), logger: logger).first { row in
            let (id, availability, capacity, open) = try row.decode((UUID, String, Int, Int).self)
            return AgentAvailability(userId: id, availability: availability, maxOpenConversations: capacity, openConversations: open)
        }
    }

    /// An agent's availability, capacity and open conversations. On Citus the count names the
    /// tenant as a value too, as `RoutingEngine.agentLoadsQuery` does.
    static func availabilityQuery(of user: UUID, tenantID: UUID) -> PostgresQuery {
        """
        SELECT u.id, u.availability, u.max_open_conversations,
               (SELECT count(*) FROM conversations c WHERE c.tenant_id = u.tenant_id\(citusTenant: "c", tenantID) AND c.assignee_id = u.id AND c.status <> 'closed')::int
        FROM users u WHERE u.tenant_id = \(tenantID) AND u.id = \(user)
        """
    }
}
