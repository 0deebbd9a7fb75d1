import Foundation
import Logging
import PostgresNIO

/// Whether one conversation is visible, for features that link to a conversation (a job, a
/// proof's evidence) and must not link to one the viewer cannot see.
enum VisibleConversation {
    /// Whether `viewer` may see the conversation `id`, read inside the caller's transaction.
    static func exists(_ id: UUID, viewer: Viewer, _ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.query("""
            SELECT 1 FROM conversations c
            WHERE c.tenant_id = \(viewer.tenantID) AND c.id = \(id) AND \(visibleConversations: viewer)
            """, logger: logger
        ).any()
    }
}
