import FieldlineDomain
import Foundation
import PostgresNIO

/// Records the wave's business events in one statement (`RecordInboundEventsStatement`):
/// `conversation.opened` for each conversation a message opened and `message.received` for
/// each message stored, each with the resource as the API returns it (docs/events.md).
struct RecordInboundEvents: InboundStep {
    var scope: InboundStepScope { .wave }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        let stored = wave.items.filter { $0.stored }
        guard !stored.isEmpty else { return }
        var opened: [UUID] = []
        for item in stored {
            if let conversation = item.conversation, conversation.opened, !opened.contains(conversation.id) { opened.append(conversation.id) }
        }
        let statement = RecordInboundEventsStatement(
            tenantID: transaction.tenantID, openedIDs: opened, openedEventIDs: opened.map { _ in UUIDv7.make() },
            messageIDs: stored.map(\.messageID), messageEventIDs: stored.map { _ in UUIDv7.make() })
        guard CitusWrites.enabled else {
            _ = try await transaction.rows(statement)
            return
        }
        let eventIDs = try await transaction.rows(RecordInboundEventsCitusStatement(statement))
        try await CitusWrites.fanOut(eventIDs, tenantID: transaction.tenantID, connection: transaction.connection, logger: transaction.logger)
    }
}

/// `RecordInboundEventsStatement` on Citus, returning the events' ids (see `CitusWrites`).
struct RecordInboundEventsCitusStatement: PostgresPreparedStatement {
    static let name = "fieldline_ingest_events_citus"
    /// The single-node text with the tenant named in the media subquery too (one shard, not
    /// all) and a `RETURNING`.
    static let sql = RecordInboundEventsStatement.text(mediaTenant: "$1") + "\nRETURNING id"
    static let bindingDataTypes = RecordInboundEventsStatement.bindingDataTypes
    typealias Row = UUID

    let statement: RecordInboundEventsStatement

    init(_ statement: RecordInboundEventsStatement) { self.statement = statement }

    func makeBindings() throws -> PostgresBindings { try statement.makeBindings() }

    func decodeRow(_ row: PostgresRow) throws -> UUID { try row.decode(UUID.self) }
}

/// The inbound events of one wave: conversations opened first, then the messages, in order.
struct RecordInboundEventsStatement: PostgresPreparedStatement {
    static let name = "fieldline_ingest_events"
    static let sql = text(mediaTenant: nil)

    /// The statement; `mediaTenant` names the tenant in the messages' media subquery (Citus).
    static func text(mediaTenant: String?) -> String {
        """
        WITH opened AS (
            SELECT c.*, o.event_id, o.position
            FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS o(id, event_id, position)
            JOIN conversations c ON c.tenant_id = $1 AND c.id = o.id
        ), received AS (
            SELECT m.*, r.event_id, r.position
            FROM unnest($4::uuid[], $5::uuid[]) WITH ORDINALITY AS r(id, event_id, position)
            JOIN messages m ON m.tenant_id = $1 AND m.id = r.id
        )
        \(BusinessEventsSQL.insert(tenant: "$1", parts: [
            BusinessEventsSQL.select(
                .conversationOpened, id: "c.event_id", resource: "c.id", body: ResourceJSON.conversation("c"), order: "c.position",
                from: "opened c"),
            BusinessEventsSQL.select(
                .messageReceived, id: "m.event_id", resource: "m.id", body: ResourceJSON.message("m", tenant: mediaTenant), order: "m.position",
                from: "received m"),
        ]))
        """
    }

    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuidArray, .uuidArray, .uuidArray, .uuidArray]
    typealias Row = Int

    let tenantID: UUID
    let openedIDs: [UUID]
    let openedEventIDs: [UUID]
    let messageIDs: [UUID]
    let messageEventIDs: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(tenantID)
        bindings.append(openedIDs)
        bindings.append(openedEventIDs)
        bindings.append(messageIDs)
        bindings.append(messageEventIDs)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int { 0 }
}
