import FieldlineDomain
import Foundation
import PostgresNIO

/// Reading and working conversations, within the viewer's team visibility.
extension PostgresConversationsRepository {
    func list(queue: ConversationQueue, status: ConversationStatus?, memberID: UUID?, page: PageRequest, viewer: Viewer) async throws -> [Conversation] {
        try await database.withTenant(viewer.tenantID) { connection in
            try await connection.query(
                Self.listQuery(queue: queue, status: status, memberID: memberID, page: page, viewer: viewer), logger: logger
            ).collect(Conversation.init(row:))
        }
    }

    /// The queue's statement (`GET /v1/conversations`), by itself so the Citus suite can check its plan.
    static func listQuery(queue: ConversationQueue, status: ConversationStatus?, memberID: UUID?, page: PageRequest, viewer: Viewer) -> PostgresQuery {
        let tenantID = viewer.tenantID
        let me = viewer.userID
        return """
            SELECT \(columns: Conversation.columns, tenant: viewer.tenantID) FROM conversations c
            WHERE c.tenant_id = \(tenantID)
              AND \(visibleConversations: viewer)
              AND (CASE WHEN \(status?.rawValue)::text IS NULL THEN c.status <> 'closed' ELSE c.status = \(status?.rawValue) END)
              AND (\(memberID)::uuid IS NULL OR c.member_id = \(memberID))
              AND (\(queue.rawValue) <> 'mine' OR c.assignee_id = \(me))
              AND (\(queue.rawValue) <> 'unassigned' OR c.assignee_id IS NULL)
              AND (\(queue.rawValue) <> 'teams' OR c.team_id IN (
                    SELECT tm.team_id FROM team_members tm WHERE tm.tenant_id = c.tenant_id\(citusTenant: "tm", tenantID) AND tm.user_id = \(me)))
              AND (\(page.after)::uuid IS NULL OR c.id < \(page.after))
            ORDER BY c.id DESC LIMIT \(page.fetchLimit)
            """
    }

    func get(_ id: UUID, viewer: Viewer) async throws -> Conversation? {
        try await database.withTenant(viewer.tenantID) { try await fetch(id, viewer: viewer, lock: false, $0) }
    }

    func fetch(_ id: UUID, viewer: Viewer, lock: Bool, _ connection: PostgresConnection) async throws -> Conversation? {
        // Citus locks rows only in a single-shard plan, which the columns' correlated subquery
        // (the flow run) is not there: on Citus the row is locked alone first (docs/scaling.md).
        let citusLock = lock && CitusWrites.enabled
        if citusLock {
            try await connection.query("""
                SELECT 1 FROM conversations WHERE tenant_id = \(viewer.tenantID) AND id = \(id) FOR NO KEY UPDATE
                """, logger: logger)
        }
        return try await connection.query(Self.fetchQuery(id, viewer: viewer, lock: lock && !citusLock), logger: logger)
            .first(Conversation.init(row:))
    }

    /// One conversation the viewer sees (`GET /v1/conversations/{id}`), locked when `lock`.
    static func fetchQuery(_ id: UUID, viewer: Viewer, lock: Bool) -> PostgresQuery {
        """
        SELECT \(columns: Conversation.columns, tenant: viewer.tenantID) FROM conversations c
        WHERE c.tenant_id = \(viewer.tenantID) AND c.id = \(id) AND \(visibleConversations: viewer)
        \(unescaped: lock ? "FOR NO KEY UPDATE" : "")
        """
    }

    func messages(of id: UUID, page: PageRequest, viewer: Viewer) async throws -> [Message]? {
        try await database.withTenant(viewer.tenantID) { connection in
            guard try await fetch(id, viewer: viewer, lock: false, connection) != nil else { return nil }
            return try await connection.query(Self.messagesQuery(of: id, page: page, tenantID: viewer.tenantID), logger: logger)
                .collect(Message.init(row:))
        }
    }

    /// A page of a conversation's messages, newest first (`GET /v1/conversations/{id}/messages`).
    static func messagesQuery(of id: UUID, page: PageRequest, tenantID: UUID) -> PostgresQuery {
        """
        SELECT \(columns: Message.columns, tenant: tenantID) FROM messages m
        WHERE m.tenant_id = \(tenantID) AND m.conversation_id = \(id)
          AND (\(page.after)::uuid IS NULL OR m.id < \(page.after))
        ORDER BY m.id DESC LIMIT \(page.fetchLimit)
        """
    }
}
