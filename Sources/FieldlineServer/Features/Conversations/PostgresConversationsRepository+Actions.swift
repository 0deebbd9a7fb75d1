import FieldlineDomain
import Foundation
import PostgresNIO

/// Replies, notes, closing and the archive timeline.
extension PostgresConversationsRepository {
    func reply(to id: UUID, content: ReplyContent, viewer: Viewer) async throws -> Message? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let conversation = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
            try Self.requireNotArchived(conversation)
            let messageID = UUIDv7.make()
            let message = try await connection.query("""
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, author_user_id, delivery_status)
                VALUES (\(tenantID), \(messageID), \(id), 'outbound', \(content.kind.rawValue), \(content.text),
                        \(ReplyPayload(content).json)::jsonb, \(viewer.userID), 'queued')
                RETURNING \(unescaped: Message.insertedColumns)
                """, logger: logger
            ).first(Message.init(row:))
            // The side effect (sending) is written in the same transaction: nothing acknowledged is lost.
            try await Outbox.enqueue(
                SendMessage.self, .init(messageID: messageID, conversationID: id), tenantID: tenantID, on: connection, logger: logger)
            let isHuman = viewer.userID != nil
            // least() rather than coalesce(): Citus allows no now() inside CASE or COALESCE, and
            // an earlier first reply is always the smaller time.
            try await connection.query("""
                UPDATE conversations SET last_message_at = now()\(unescaped: isHuman ? ", first_human_reply_at = least(first_human_reply_at, now())" : "")
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger)
            var paused: NewStreamEvent?
            if let user = viewer.userID {
                // A person took over: the flow run waiting here pauses at once (docs/flows.md#runs).
                paused = try await FlowRunRecord.pauseWaiting(in: id, tenantID: tenantID, by: "user:\(user.uuidString.lowercased())", connection, logger: logger)
            }
            if isHuman, conversation.firstHumanReplyAt == nil {
                try await recordEvent(.firstHumanReply, conversationID: id, actor: viewer.userID, tenantID: tenantID, connection)
            }
            try await StreamEventWriter.append(
                [NewStreamEvent.messageCreated(messageID, in: id, direction: .outbound, kind: content.kind)] + (paused.map { [$0] } ?? []),
                tenantID: tenantID, connection: connection, logger: logger)
            return message
        }
    }

    func addNote(to id: UUID, text: String, viewer: Viewer) async throws -> Message? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let conversation = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
            try Self.requireNotArchived(conversation)
            let messageID = UUIDv7.make()
            let note = try await connection.query("""
                INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, author_user_id)
                VALUES (\(tenantID), \(messageID), \(id), 'internal', 'note', \(text), \(viewer.userID))
                RETURNING \(unescaped: Message.insertedColumns)
                """, logger: logger
            ).first(Message.init(row:))
            try await publish(NewStreamEvent.messageCreated(messageID, in: id, direction: .internal, kind: .note), tenantID: tenantID, connection)
            return note
        }
    }

    func close(_ id: UUID, viewer: Viewer) async throws -> Conversation? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let conversation = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
            guard conversation.status != .closed else {
                throw APIError.conflict("already_closed", "the conversation was already closed at \(RFC3339.format(conversation.closedAt ?? Date()))")
            }
            try await connection.query("""
                UPDATE conversations SET status = 'closed', closed_at = now(), closed_by = \(viewer.userID), snoozed_until = NULL
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger)
            try await failHeldMessages(in: id, tenantID: tenantID, connection)
            try await recordEvent(.closed, conversationID: id, actor: viewer.userID, tenantID: tenantID, connection)
            var events = [NewStreamEvent(
                kind: .conversationClosed, conversationID: id, data: ["status": .string("closed"), "closed_by": .id(viewer.userID)])]
            // A flow run under way here ends with it: its member's next message opens a new conversation.
            let actor = viewer.userID.map { "user:\($0.uuidString.lowercased())" } ?? "system"
            if let stopped = try await FlowRunRecord.stopUnderWay(in: id, tenantID: tenantID, by: actor, connection, logger: logger) {
                events.append(stopped)
            }
            // The agent has a free place now: the oldest conversation waiting in their teams takes it.
            if let assignee = conversation.assigneeId {
                let routing = RoutingEngine(logger: logger)
                let teams = try await routing.teams(of: assignee, tenantID: tenantID, connection)
                events += try await routing.drain(teams: teams, settings: nil, tenantID: tenantID, connection).events
            }
            try await StreamEventWriter.append(events, tenantID: tenantID, connection: connection, logger: logger)
            let closed = try await fetch(id, viewer: viewer, lock: false, connection)
            if let closed { try await BusinessEvents.record(.conversationClosed, body: closed, resource: id, on: connection, tenantID: tenantID, logger: logger) }
            return closed
        }
    }

    func timeline(of memberID: UUID, page: PageRequest, viewer: Viewer, links: TimelineLinkKinds) async throws -> [ArchivedConversation]? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            let exists = try await connection.query(
                "SELECT 1 FROM members WHERE tenant_id = \(tenantID) AND id = \(memberID)", logger: logger
            ).any()
            guard exists else { return nil }
            // The archive shows what the viewer may see: the same visibility as
            // GET /v1/conversations/{id}, and its jobs and proofs as GET /v1/jobs/{id} (issue 15).
            let conversations = try await connection.query(Self.timelineQuery(of: memberID, page: page, viewer: viewer), logger: logger)
                .collect(Conversation.init(row:))
            let messages = try await connection.query(Self.timelineMessagesQuery(conversations.map(\.id), tenantID: tenantID), logger: logger)
                .collect(Message.init(row:))
            let byConversation = Dictionary(grouping: messages, by: \.conversationId)
            let ids = conversations.map(\.id)
            let jobs = links.jobs ? try await TimelineLinks.jobs(of: ids, viewer: viewer, connection, logger: logger) : nil
            let proofs = links.proofs ? try await TimelineLinks.proofs(of: ids, viewer: viewer, connection, logger: logger) : nil
            return conversations.map { conversation in
                ArchivedConversation(
                    conversation: conversation, messages: byConversation[conversation.id] ?? [],
                    jobs: jobs.map { $0[conversation.id] ?? [] }, proofs: proofs.map { $0[conversation.id] ?? [] })
            }
        }
    }

    /// The member's closed conversations the viewer sees, newest first (`GET /v1/members/{id}/timeline`).
    static func timelineQuery(of memberID: UUID, page: PageRequest, viewer: Viewer) -> PostgresQuery {
        """
        SELECT \(columns: Conversation.columns, tenant: viewer.tenantID) FROM conversations c
        WHERE c.tenant_id = \(viewer.tenantID) AND c.member_id = \(memberID) AND c.status = 'closed'
          AND \(visibleConversations: viewer)
          AND (\(page.after)::uuid IS NULL OR c.id < \(page.after))
        ORDER BY c.id DESC LIMIT \(page.fetchLimit)
        """
    }

    /// The messages of the timeline's conversations, oldest first.
    static func timelineMessagesQuery(_ conversationIDs: [UUID], tenantID: UUID) -> PostgresQuery {
        """
        SELECT \(columns: Message.columns, tenant: tenantID) FROM messages m
        WHERE m.tenant_id = \(tenantID) AND m.conversation_id = ANY(\(conversationIDs))
        ORDER BY m.id
        """
    }

    func applyDeliveryStatus(_ status: DeliveryStatus, providerMessageID: String, error: String, provider: String, adapterID: UUID, tenantID: UUID) async throws {
        try await database.withTenantTransaction(tenantID, logger: logger) { transaction in
            try await transaction.query("""
                UPDATE messages SET delivery_status = \(status.rawValue),
                    delivery_error = CASE WHEN \(status.rawValue) = 'failed' THEN nullif(\(error), '') ELSE delivery_error END
                WHERE tenant_id = \(tenantID) AND provider = \(provider) AND adapter_id = \(adapterID)
                  AND provider_message_id = \(providerMessageID) AND direction = 'outbound'
                  AND coalesce(array_position(ARRAY['queued', 'sent', 'delivered', 'read'], delivery_status), 0)
                      < CASE WHEN \(status.rawValue) = 'failed' THEN 3
                             ELSE coalesce(array_position(ARRAY['queued', 'sent', 'delivered', 'read'], \(status.rawValue)), 0) END
                """)
            try await OfferDeliveryReports.apply(
                status, providerMessageID: providerMessageID, provider: provider, adapterID: adapterID, transaction)
        }
    }

    /// A closed conversation is archived, so its member's next message opens a new one and
    /// never releases these: say so on them instead of leaving them held forever.
    func failHeldMessages(in conversationID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE messages SET delivery_status = 'failed',
                delivery_error = left('not sent: the conversation was closed while this message was held (' || coalesce(delivery_error, 'service window closed') || ')', 1000)
            WHERE tenant_id = \(tenantID) AND conversation_id = \(conversationID) AND delivery_status = 'held'
            """, logger: logger)
    }

    static func requireNotArchived(_ conversation: Conversation) throws {
        guard conversation.status != .closed else {
            throw APIError.conflict(
                "conversation_archived",
                "conversation \(conversation.id.uuidString.lowercased()) is closed and archived (read-only); the member's next message opens a new conversation, and the archive stays in GET /v1/members/\(conversation.memberId.uuidString.lowercased())/timeline")
        }
    }
}
