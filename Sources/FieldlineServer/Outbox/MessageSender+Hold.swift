import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// Holding messages while the provider's customer-service window is closed (see `ServiceWindow`).
extension MessageSender {
    /// Marks the message `held` with `reason` and finishes its outbox row; with a `template`, also
    /// queues that approved template (once per closed window) to invite the member to answer.
    ///
    /// Returns false, changing nothing, when the member wrote since the message was loaded: the
    /// window is open again, so the caller decides afresh. The conversation row lock makes this
    /// exact: inbound ingest updates that row before it releases held messages, so either it
    /// finds this message already held, or this check finds its new inbound message.
    func hold(_ item: OutboxItem, _ delivery: Delivery, reason: String, template: MessageTemplate?) async throws -> Bool {
        let tenantID = item.tenantID
        let logger = database.logger
        return try await database.withTenant(tenantID) { connection in
            let status = try await connection.query("""
                SELECT status FROM conversations WHERE tenant_id = \(tenantID) AND id = \(delivery.conversationID) FOR NO KEY UPDATE
                """, logger: logger
            ).first { try $0.decode(String.self) }
            let latestInbound = try await connection.query("""
                SELECT id FROM messages
                WHERE tenant_id = \(tenantID) AND conversation_id = \(delivery.conversationID) AND direction = 'inbound'
                ORDER BY id DESC LIMIT 1
                """, logger: logger
            ).first { try $0.decode(UUID.self) }
            guard latestInbound == delivery.lastInboundID else { return false }
            // Closed means archived: nothing will release it, so it fails with the reason (as closing does).
            let closed = status == "closed"
            let error = closed ? "not sent: the conversation was closed while this message was held (\(reason))" : reason
            try await connection.query("""
                UPDATE messages SET delivery_status = \(closed ? "failed" : "held"), delivery_error = \(String(error.prefix(1000)))
                WHERE tenant_id = \(tenantID) AND id = \(delivery.messageID) AND delivery_status = 'queued'
                """, logger: logger)
            if !closed, let template, try await !templatePending(since: delivery, tenantID: tenantID, connection) {
                try await queueTemplate(template, for: delivery, tenantID: tenantID, connection)
            }
            try await OutboxStore.complete(item.id, on: connection, logger: logger)
            return true
        }
    }

    /// Whether a template already went (or is going) out since the member's last message: one
    /// invitation per closed window, however many messages wait.
    private func templatePending(since delivery: Delivery, tenantID: UUID, _ connection: PostgresConnection) async throws -> Bool {
        try await connection.query("""
            SELECT 1 FROM messages
            WHERE tenant_id = \(tenantID) AND conversation_id = \(delivery.conversationID) AND direction = 'outbound'
              AND kind = 'system' AND payload -> 'template' IS NOT NULL AND delivery_status <> 'failed'
              AND (\(delivery.lastInboundID)::uuid IS NULL OR id > \(delivery.lastInboundID))
            LIMIT 1
            """, logger: database.logger
        ).any()
    }

    /// The template as a system message of the conversation, sent through the outbox like any
    /// other, so its retries, failures and delivery reports show on it.
    private func queueTemplate(_ template: MessageTemplate, for delivery: Delivery, tenantID: UUID, _ connection: PostgresConnection) async throws {
        let messageID = UUIDv7.make()
        let payload = ReplyPayload(template: .init(name: template.name, language: template.languageCode))
        let text = "Approved template '\(template.name)' (\(template.languageCode)) sent because the service window is closed; held replies go out when the member answers."
        try await connection.query("""
            INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, payload, delivery_status)
            VALUES (\(tenantID), \(messageID), \(delivery.conversationID), 'outbound', 'system', \(text), \(payload.json)::jsonb, 'queued')
            """, logger: database.logger)
        try await Outbox.enqueue(
            SendMessage.self, .init(messageID: messageID, conversationID: delivery.conversationID), tenantID: tenantID, on: connection,
            logger: database.logger)
        try await StreamEventWriter.append(
            [NewStreamEvent.messageCreated(messageID, in: delivery.conversationID, direction: .outbound, kind: .system)],
            tenantID: tenantID, connection: connection, logger: database.logger)
    }
}
