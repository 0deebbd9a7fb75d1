import FieldlineDomain
import Foundation
import PostgresNIO

/// Snoozing: a conversation set aside (`pending`) until a time, or until the member writes.
extension PostgresConversationsRepository: SnoozeEnding {
    func snooze(_ id: UUID, until: Date, viewer: Viewer) async throws -> Conversation? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let conversation = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
            try Self.requireNotArchived(conversation)
            try await connection.query("""
                UPDATE conversations SET status = 'pending', snoozed_until = \(until)
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger)
            // The wake-up is an outbox row due at `until`: it survives restarts and runs on any instance.
            try await Outbox.enqueue(
                WakeConversation.self, .init(conversationID: id), availableAt: until, tenantID: tenantID, on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id, data)
                VALUES (\(tenantID), \(UUIDv7.make()), \(id), 'snoozed', \(viewer.userID), jsonb_build_object('until', \(until)))
                """, logger: logger)
            try await publish(NewStreamEvent.statusChanged(id, from: conversation.status, to: .pending, reason: .snoozed), tenantID: tenantID, connection)
            return try await fetch(id, viewer: viewer, lock: false, connection)
        }
    }

    func wake(_ id: UUID, viewer: Viewer) async throws -> Conversation? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let conversation = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
            try Self.requireNotArchived(conversation)
            if conversation.status == .pending {
                try await wake(id, actor: viewer.userID, reason: .woken, tenantID: tenantID, connection)
            }
            return try await fetch(id, viewer: viewer, lock: false, connection)
        }
    }

    /// Wakes the conversation if its snooze has run out (the outbox's `conversation.wake`).
    /// A conversation woken early, closed, or snoozed again later is left alone.
    func wakeIfDue(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws {
        let due = try await connection.query("""
            SELECT 1 FROM conversations
            WHERE tenant_id = \(tenantID) AND id = \(id) AND status = 'pending' AND snoozed_until <= now()
            FOR NO KEY UPDATE
            """, logger: logger
        ).any()
        if due { try await wake(id, actor: nil, reason: .snoozeEnded, tenantID: tenantID, connection) }
    }

    private func wake(_ id: UUID, actor: UUID?, reason: StatusChangeReason, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE conversations SET status = 'open', snoozed_until = NULL WHERE tenant_id = \(tenantID) AND id = \(id)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id, data)
            VALUES (\(tenantID), \(UUIDv7.make()), \(id), 'woke', \(actor), jsonb_build_object('reason', \(reason.rawValue)))
            """, logger: logger)
        try await publish(NewStreamEvent.statusChanged(id, from: .pending, to: .open, reason: reason), tenantID: tenantID, connection)
    }
}
