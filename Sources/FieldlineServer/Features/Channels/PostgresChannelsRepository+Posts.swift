import FieldlineDomain
import Foundation
import PostgresNIO

/// Posting to channels: one set-based fan-out per post, whatever the number of recipients.
extension PostgresChannelsRepository {
    func post(to id: UUID, text: String, memberID: UUID?, viewer: Viewer) async throws -> ChannelPost? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            // FOR SHARE: a concurrent delete waits until the post and its deliveries are written.
            let rawKind = try await connection.query(
                "SELECT kind FROM channels WHERE tenant_id = \(tenantID) AND id = \(id) FOR SHARE", logger: logger
            ).first { try $0.decode(String.self) }
            guard let kind = rawKind.flatMap(ChannelKind.init(rawValue:)) else { return nil }
            if let memberID { try await requireParticipant(memberID, channel: id, kind: kind, tenantID: tenantID, connection) }
            try await lockPosts(tenantID: tenantID, connection)
            let postID = try await publish(
                to: id, kind: kind, text: text, memberID: memberID, userID: viewer.userID, tenantID: tenantID, connection)
            return try await connection.query(
                "SELECT \(unescaped: ChannelPost.columns) FROM channel_posts p WHERE p.tenant_id = \(tenantID) AND p.id = \(postID)",
                logger: logger
            ).first(ChannelPost.init(row:))
        }
    }

    /// Writes a post and queues its deliveries on `connection`, inside the caller's transaction:
    /// the API's post, or a member's message addressed to a channel during ingest. The caller has
    /// checked the channel (held `FOR SHARE`) and, for a member, that they participate, and holds
    /// the tenant's post lock (`lockPosts`). Returns the post's id.
    func publish(
        to id: UUID, kind: ChannelKind, text: String, memberID: UUID?, userID: UUID?, tenantID: UUID, _ connection: PostgresConnection
    ) async throws -> UUID {
        let label = try await senderLabel(memberID: memberID, userID: userID, tenantID: tenantID, connection)
        let postID = UUIDv7.make()
        try await connection.query("""
            INSERT INTO channel_posts (tenant_id, id, channel_id, body, author_user_id, author_member_id, sender_label)
            VALUES (\(tenantID), \(postID), \(id), \(text), \(userID), \(memberID), \(label))
            """, logger: logger)
        // Peers read who is speaking in the shared thread; a hierarchical post speaks as the organization.
        let delivered = kind == .horizontal ? "\(label): \(text)" : text
        let recipients = Self.recipientsSQL(kind, tenantID: tenantID)
        let opened = try await connection.query("""
            WITH params AS (SELECT \(id)::uuid AS channel_id, \(memberID)::uuid AS sender),
            r AS (\(unescaped: recipients)),
            opened AS (
                INSERT INTO conversations (tenant_id, id, member_id)
                SELECT \(tenantID), uuid_v7(), r.member_id FROM r
                WHERE NOT EXISTS (
                    SELECT 1 FROM conversations c WHERE c.tenant_id = \(tenantID) AND c.member_id = r.member_id AND c.status <> 'closed')
                -- In member order, as an ingest batch opens its own: neither waits for a new
                -- conversation the other holds while holding one the other waits for.
                ORDER BY r.member_id
                ON CONFLICT (tenant_id, member_id) WHERE status <> 'closed' DO NOTHING
                RETURNING id, member_id
            ), events AS (
                -- On Citus with a RETURNING, or Citus copies the rows in with COPY, which
                -- row-level security refuses (docs/scaling.md).
                INSERT INTO conversation_events (tenant_id, id, conversation_id, kind)
                SELECT \(tenantID), uuid_v7(), opened.id, 'opened' FROM opened\(unescaped: CitusWrites.returning("1"))
            )
            SELECT id, member_id FROM opened
            """, logger: logger
        ).collect { try $0.decode((UUID, UUID).self) }
        // A broadcast leaves last_message_at alone: it is not activity that should lift thousands of
        // conversations to the top of the agents' queues (a new conversation starts at now()).
        let count = try await connection.query("""
            WITH params AS (SELECT \(id)::uuid AS channel_id, \(memberID)::uuid AS sender),
            r AS (\(unescaped: recipients)),
            targets AS (
                SELECT c.id FROM conversations c JOIN r ON c.member_id = r.member_id
                WHERE c.tenant_id = \(tenantID) AND c.status <> 'closed'
            ), sent AS (
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, author_user_id, delivery_status, channel_post_id)
                SELECT \(tenantID), uuid_v7(), targets.id, 'outbound', 'text', \(delivered), \(userID), 'queued', \(postID)
                FROM targets
                RETURNING tenant_id, id, conversation_id
            ), queued AS (
                \(unescaped: Self.queueSent)
            )
            SELECT count(*)::int FROM sent
            """, logger: logger
        ).first { try $0.decode(Int.self) } ?? 0
        try await connection.query(
            "UPDATE channel_posts SET recipient_count = \(count) WHERE tenant_id = \(tenantID) AND id = \(postID)", logger: logger)
        try await appendStreamEvents(postID: postID, opened: opened, tenantID: tenantID, connection)
        try await BusinessEvents.recordConversationsOpened(opened.map(\.0), on: connection, tenantID: tenantID, logger: logger)
        return postID
    }

    /// Advisory lock class of the per-tenant channel post lock, see `lockPosts`.
    static let postLockClass: Int32 = 7015

    /// Queues the `sent` CTE's deliveries (`tenant_id`, `id`, `conversation_id`) for sending.
    static let queueSent = OutboxSQL.insert(
        SendMessage.self, tenant: "tenant_id", payload: ["message_id": "id", "conversation_id": "conversation_id"], from: "sent")

    /// Takes the tenant's channel post lock until commit, so the tenant's posts fan out one at a
    /// time. A member's channel message takes it before locking its own conversation: two members
    /// answering each other at once would otherwise each hold their conversation and wait for the
    /// other's, which their relays write to; and two posts would wait on each other's new
    /// conversations for the same members.
    func lockPosts(tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query(
            "SELECT pg_advisory_xact_lock(\(Self.postLockClass), hashtext(\(tenantID.uuidString.lowercased())))::text", logger: logger)
    }

    func posts(of id: UUID, page: PageRequest, tenantID: UUID) async throws -> [ChannelPost]? {
        try await database.withTenant(tenantID) { connection in
            let exists = try await connection.query(
                "SELECT 1 FROM channels WHERE tenant_id = \(tenantID) AND id = \(id)", logger: logger
            ).any()
            guard exists else { return nil }
            return try await connection.query("""
                SELECT \(unescaped: ChannelPost.columns) FROM channel_posts p
                WHERE p.tenant_id = \(tenantID) AND p.channel_id = \(id) AND (\(page.after)::uuid IS NULL OR p.id < \(page.after))
                ORDER BY p.id DESC LIMIT \(page.fetchLimit)
                """, logger: logger
            ).collect(ChannelPost.init(row:))
        }
    }

    /// The members a post reaches, as SQL over the `params` CTE (channel, sender member or null),
    /// so one statement text serves both fan-out statements. Hierarchical: members of the speaking
    /// organization's strict descendants (their `path` contains it) matching the kind and tag
    /// filters. Horizontal: members of every participant organization except the sender.
    /// The tenant is written as a literal in every table's filter (for Citus routing): a UUID's
    /// canonical text is only hex digits and dashes, so it cannot inject anything.
    static func recipientsSQL(_ kind: ChannelKind, tenantID: UUID) -> String {
        let tenant = "'\(tenantID.uuidString.lowercased())'::uuid"
        return switch kind {
        case .hierarchical:
            """
            SELECT m.id AS member_id FROM params
            JOIN channels ch ON ch.tenant_id = \(tenant) AND ch.id = params.channel_id
            JOIN organizations o ON o.tenant_id = \(tenant) AND o.path @> ARRAY[ch.organization_id] AND o.id <> ch.organization_id
                AND (cardinality(ch.kinds) = 0 OR o.kind = ANY(ch.kinds)) AND (cardinality(ch.tags) = 0 OR o.tags && ch.tags)
            JOIN members m ON m.tenant_id = \(tenant) AND m.organization_id = o.id
            WHERE m.id IS DISTINCT FROM params.sender
            """
        case .horizontal:
            """
            SELECT m.id AS member_id FROM params
            JOIN channel_participants p ON p.tenant_id = \(tenant) AND p.channel_id = params.channel_id
            JOIN members m ON m.tenant_id = \(tenant) AND m.organization_id = p.organization_id
            WHERE m.id IS DISTINCT FROM params.sender
            """
        }
    }
}
