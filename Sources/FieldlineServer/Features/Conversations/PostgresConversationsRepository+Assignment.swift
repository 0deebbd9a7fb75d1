import FieldlineDomain
import Foundation
import PostgresNIO

/// Assigning, transferring and tagging conversations.
extension PostgresConversationsRepository {
    func assign(_ id: UUID, assignee: FieldUpdate<UUID>, team: FieldUpdate<UUID>, viewer: Viewer) async throws -> Conversation? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let current = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
            try Self.requireNotArchived(current)
            if let userID = assignee.value {
                let active = try await connection.query("""
                    SELECT disabled_at IS NULL FROM users WHERE tenant_id = \(tenantID) AND id = \(userID)
                    """, logger: logger
                ).first { try $0.decode(Bool.self) }
                guard active == true else {
                    throw ValidationError(field: "assignee_id", code: "unknown_reference", message: "assignee_id names no active user")
                }
            }
            if let teamID = team.value {
                let exists = try await connection.query(
                    "SELECT 1 FROM teams WHERE tenant_id = \(tenantID) AND id = \(teamID)", logger: logger
                ).any()
                guard exists else { throw ValidationError(field: "team_id", code: "unknown_reference", message: "team_id names no team") }
            }
            let newAssignee = assignee.applied(to: current.assigneeId)
            let newTeam = team.applied(to: current.teamId)
            try await connection.query("""
                UPDATE conversations SET assignee_id = \(newAssignee), team_id = \(newTeam)
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger)
            // A change away from someone (or some team) already holding it is a transfer.
            let wasHeld = current.assigneeId != nil || current.teamId != nil
            let kind: ConversationEventKind = wasHeld ? .transferred : .assigned
            try await connection.query("""
                INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id, data)
                VALUES (\(tenantID), \(UUIDv7.make()), \(id), \(kind.rawValue), \(viewer.userID),
                        jsonb_build_object('from_assignee_id', \(current.assigneeId)::uuid, 'from_team_id', \(current.teamId)::uuid,
                                           'assignee_id', \(newAssignee)::uuid, 'team_id', \(newTeam)::uuid))
                """, logger: logger)
            try await publish(
                NewStreamEvent(
                    kind: .conversationAssigned, conversationID: id, priorAssigneeID: current.assigneeId, priorTeamID: current.teamId,
                    data: ["assignee_id": .id(newAssignee), "team_id": .id(newTeam), "from_assignee_id": .id(current.assigneeId),
                           "from_team_id": .id(current.teamId), "transfer": .bool(wasHeld)]),
                tenantID: tenantID, connection)
            // Read back without the visibility rule: an agent may hand a conversation to
            // another team and then no longer see it, yet still gets the result of the change.
            let assigned = try await fetch(id, viewer: Viewer(unrestricted: viewer), lock: false, connection)
            if let assigned { try await BusinessEvents.record(.conversationAssigned, body: assigned, resource: id, on: connection, tenantID: tenantID, logger: logger) }
            return assigned
        }
    }

    func setTag(_ tag: String, on id: UUID, present: Bool, viewer: Viewer) async throws -> Conversation? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let current = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
            try Self.requireNotArchived(current)
            try await connection.query("""
                UPDATE conversations SET tags = CASE
                    WHEN \(present) THEN (SELECT array_agg(DISTINCT t ORDER BY t) FROM unnest(array_append(tags, \(tag))) t)
                    ELSE array_remove(tags, \(tag)) END
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger)
            let updated = try await fetch(id, viewer: viewer, lock: false, connection)
            try await publish(
                NewStreamEvent(
                    kind: .conversationTagsChanged, conversationID: id,
                    data: [present ? "added" : "removed": .string(tag), "tags": .strings(updated?.tags ?? [])]),
                tenantID: tenantID, connection)
            return updated
        }
    }
}
