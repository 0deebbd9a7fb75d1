import FieldlineDomain
import Foundation
import Logging
import PostgresNIO

/// Records business events (docs/events.md) inside the caller's transaction: the event exists
/// exactly when the change it tells of commits. The body is the resource as the API returns it,
/// encoded with the API's own encoder. Set-based writers use `BusinessEventsSQL` instead.
enum BusinessEvents {
    /// Appends one event of `type` about the resource `resource` (its id), with `body` (the
    /// resource as the API returns it), in the transaction of `connection`.
    static func record(
        _ type: BusinessEventType, body: some Encodable & Sendable, resource: UUID,
        on connection: PostgresConnection, tenantID: UUID, logger: Logger
    ) async throws {
        let json = String(decoding: try AppRequestContext.encoder.encode(body), as: UTF8.self)
        let eventID = UUIDv7.make()
        try await connection.query("""
            INSERT INTO events (tenant_id, id, type, resource_type, resource_id, body)
            VALUES (\(tenantID), \(eventID), \(type.rawValue), \(type.resourceType), \(resource), \(json)::jsonb)
            """, logger: logger)
        try await CitusWrites.fanOut([eventID], tenantID: tenantID, connection: connection, logger: logger)
    }

    /// `record` inside a `TenantTransaction`.
    static func record(_ type: BusinessEventType, body: some Encodable & Sendable, resource: UUID, in transaction: TenantTransaction) async throws {
        try await record(type, body: body, resource: resource, on: transaction.connection, tenantID: transaction.tenantID, logger: transaction.logger)
    }

    /// Appends one event of `type` about conversation `id` with the conversation as it is now in
    /// this transaction (built in SQL: no round trip), for writers that hold no `Conversation`.
    static func recordConversation(
        _ type: BusinessEventType, _ id: UUID, on connection: PostgresConnection, tenantID: UUID, logger: Logger
    ) async throws {
        let eventID = UUIDv7.make()
        _ = try await connection.query(recordConversationQuery(type, id, eventID: eventID, tenantID: tenantID), logger: logger).collect()
        try await CitusWrites.fanOut([eventID], tenantID: tenantID, connection: connection, logger: logger)
    }

    /// `recordConversation`'s insert. On Citus its `SELECT` is a subquery: an `INSERT … SELECT`
    /// straight from `conversations` is pushed down to every pair of colocated shards, the
    /// tenant's bound value notwithstanding, while from a subquery Citus runs the `SELECT` as a
    /// plan of the tenant's shard alone (docs/scaling.md, "Router plans").
    static func recordConversationQuery(_ type: BusinessEventType, _ id: UUID, eventID: UUID, tenantID: UUID) -> PostgresQuery {
        let (open, close) = CitusWrites.enabled ? ("SELECT e.* FROM (", ") e") : ("", "")
        return """
            INSERT INTO events (tenant_id, id, type, resource_type, resource_id, body)
            \(unescaped: open)SELECT c.tenant_id, \(eventID), \(type.rawValue), 'conversation', c.id, \(unescaped: ResourceJSON.conversation("c"))
            FROM conversations c WHERE c.tenant_id = \(tenantID) AND c.id = \(id)\(unescaped: close)\(unescaped: CitusWrites.returning("id"))
            """
    }

    /// Appends one `conversation.opened` per conversation of `ids`, in that order, each with the
    /// conversation as it is now in this transaction, in one statement whatever their number: for
    /// writers that open conversations in bulk (a channel post's fan-out, a broadcast's offers).
    static func recordConversationsOpened(_ ids: [UUID], on connection: PostgresConnection, tenantID: UUID, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        let eventIDs = ids.map { _ in UUIDv7.make() }
        _ = try await connection.query("""
            INSERT INTO events (tenant_id, id, type, resource_type, resource_id, body)
            SELECT c.tenant_id, o.event_id, \(BusinessEventType.conversationOpened.rawValue), 'conversation', c.id,
                   \(unescaped: ResourceJSON.conversation("c"))
            FROM unnest(\(ids)::uuid[], \(eventIDs)::uuid[]) WITH ORDINALITY AS o(id, event_id, position)
            JOIN conversations c ON c.tenant_id = \(tenantID) AND c.id = o.id
            ORDER BY o.position\(unescaped: CitusWrites.returning("id"))
            """, logger: logger).collect()
        try await CitusWrites.fanOut(eventIDs, tenantID: tenantID, connection: connection, logger: logger)
    }

    /// The event a job's change makes: `job.created` for a new job, else the event of the status
    /// it entered (none when the status stayed, or went back to `open`).
    static func recordJob(_ job: Job, before: JobStatus?, on connection: PostgresConnection, tenantID: UUID, logger: Logger) async throws {
        let type: BusinessEventType?
        if let before {
            type = before == job.status ? nil : BusinessEventType.job(enteredStatus: job.status)
        } else {
            type = .jobCreated
        }
        guard let type else { return }
        try await record(type, body: job, resource: job.id, on: connection, tenantID: tenantID, logger: logger)
    }
}

/// The event insert as SQL text, for writers that record many events inside one set-based
/// statement (ingest), where a round trip per event would cost what the statement saves.
enum BusinessEventsSQL {
    /// `SELECT` of the event columns (`id, type, resource_type, resource_id, body`), one event of
    /// `type` per row of `source`: combine several with `UNION ALL` and hand them to `insert`.
    ///
    /// - Parameters:
    ///   - id: the column of `source` holding each event's new id (UUIDv7 from the caller).
    ///   - resource: the column holding the resource's id.
    ///   - body: an SQL expression building the resource as the API returns it (`jsonb`, see
    ///     `ResourceJSON`).
    ///   - order: an SQL expression ordering the events of this part (`position`).
    static func select(_ type: BusinessEventType, id: String, resource: String, body: String, order: String, from source: String) -> String {
        """
        SELECT \(id) AS id, '\(type.rawValue)' AS type, '\(type.resourceType)' AS resource_type, \(resource) AS resource_id,
               \(body) AS body, \(order) AS position
        FROM \(source)
        """
    }

    /// `INSERT INTO events … SELECT … FROM (<parts>)`, numbering the events in the order of
    /// `parts` and, within each, of its `order`; use it as a statement or a data-modifying CTE.
    static func insert(tenant: String, parts: [String]) -> String {
        let union = parts.enumerated().map { index, part in "SELECT \(index) AS part, p.* FROM (\(part)) p" }.joined(separator: "\nUNION ALL\n")
        return """
            INSERT INTO events (tenant_id, id, type, resource_type, resource_id, body)
            SELECT \(tenant), e.id, e.type, e.resource_type, e.resource_id, e.body
            FROM (\(union)) e
            ORDER BY e.part, e.position
            """
    }
}
