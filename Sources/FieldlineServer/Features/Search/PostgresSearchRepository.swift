import FieldlineDomain
import Foundation
import PostgresNIO

/// `SearchRepository` on PostgreSQL text search (`sql/009_search_analytics.sql`): messages'
/// stored `search_vector` (for a channel post's copies, the post's, indexed once) matched against
/// `fieldline_search_query`, both analysed in Spanish, Portuguese and English, accents and case
/// ignored.
struct PostgresSearchRepository: SearchRepository {
    let database: Database

    var logger: Logger { database.logger }

    func search(_ query: SearchQuery, page: PageRequest, viewer: Viewer) async throws -> [SearchHit] {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            let words = try await connection.query(
                "SELECT numnode(fieldline_search_query(\(query.text)))::int", logger: logger
            ).first { try $0.decode(Int.self) }
            guard let words, words > 0 else { throw SearchError.noSearchableWords }
            let messages = try await connection.query("""
                SELECT \(columns: Message.columns, tenant: tenantID) FROM messages m
                JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
                LEFT JOIN channel_posts cp ON cp.tenant_id = m.tenant_id AND cp.id = m.channel_post_id
                WHERE m.tenant_id = \(tenantID)
                  AND coalesce(m.search_vector, cp.search_vector) @@ fieldline_search_query(\(query.text))
                  AND \(visibleConversations: viewer)
                  AND (\(query.memberID)::uuid IS NULL OR c.member_id = \(query.memberID))
                  AND (\(query.tag)::text IS NULL OR c.tags @> ARRAY[\(query.tag)::text])
                  AND (\(query.status?.rawValue)::text IS NULL OR c.status = \(query.status?.rawValue))
                  AND (\(query.direction?.rawValue)::text IS NULL OR m.direction = \(query.direction?.rawValue))
                  AND (\(query.from)::timestamptz IS NULL OR m.created_at >= \(query.from))
                  AND (\(query.to)::timestamptz IS NULL OR m.created_at < \(query.to))
                  AND (\(query.organizationID)::uuid IS NULL OR EXISTS (
                        SELECT 1 FROM members mb
                        JOIN organizations o ON o.tenant_id = mb.tenant_id AND o.id = mb.organization_id
                        WHERE mb.tenant_id = c.tenant_id AND mb.id = c.member_id
                          AND o.path @> ARRAY[\(query.organizationID)::uuid]))
                  AND (\(page.after)::uuid IS NULL OR m.id < \(page.after))
                ORDER BY m.id DESC LIMIT \(page.fetchLimit)
                """, logger: logger
            ).collect(Message.init(row:))
            let ids = Array(Set(messages.map(\.conversationId)))
            let conversations = try await connection.query("""
                SELECT \(columns: Conversation.columns, tenant: tenantID) FROM conversations c
                WHERE c.tenant_id = \(tenantID) AND c.id = ANY(\(ids))
                """, logger: logger
            ).collect(Conversation.init(row:))
            let byID = Dictionary(uniqueKeysWithValues: conversations.map { ($0.id, $0) })
            return messages.compactMap { message in
                byID[message.conversationId].map { SearchHit(message: message, conversation: $0) }
            }
        }
    }
}
