import FieldlineDomain
import Foundation
import PostgresNIO

/// `ConversationsRepository` on PostgreSQL. Inbound messages are stored by the inbound pipeline
/// (`InboundPipeline`), not here.
struct PostgresConversationsRepository: ConversationsRepository {
    let database: Database

    var logger: Logger { database.logger }

    /// Records a fact about the conversation (`conversation_events`), by `actor` when a person did it.
    func recordEvent(_ kind: ConversationEventKind, conversationID: UUID, actor: UUID?, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id)
            VALUES (\(tenantID), \(UUIDv7.make()), \(conversationID), \(kind.rawValue), \(actor))
            """, logger: logger)
    }
}
