import Foundation
import Logging
import PostgresNIO

/// Appends stream events inside the caller's transaction. They wait in `stream_pending` until
/// the transaction has committed and the `StreamPublisher` numbers them into `stream_events`
/// (see `sql/014_stream_publishing.sql`), so writers take no lock and send no `NOTIFY`.
enum StreamEventWriter {
    /// The `LISTEN`/`NOTIFY` channel; payloads are `<tenant_id>:<event id>`, never bodies.
    static let channel = "fieldline_stream"

    private static let encoder: JSONEncoder = {
        let encoder = LowercaseUUIDJSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// Appends `events` in order, in one statement, and asks for the tenant's events to be
    /// published once the surrounding `Database` transaction commits.
    static func append(
        _ events: [NewStreamEvent], tenantID: UUID, connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !events.isEmpty else { return }
        let data = try events.map { String(decoding: try encoder.encode($0.data), as: UTF8.self) }
        if CitusWrites.enabled {
            _ = try await connection.rows(CitusAppendStatement(tenantID: tenantID, events: events, data: data), logger: logger)
        } else {
            _ = try await connection.rows(AppendStatement(tenantID: tenantID, events: events, data: data), logger: logger)
        }
        StreamPublication.markWritten(tenantID)
    }

    /// The insert, prepared once per connection (it runs in nearly every writing transaction).
    struct AppendStatement: AppendStatementBindings {
        static let name = "fieldline_stream_append"
        static let sql = insert
        static let bindingDataTypes = appendBindingTypes
        typealias Row = ()

        let tenantID: UUID
        let events: [NewStreamEvent]
        /// Each event's `data` as JSON text.
        let data: [String]

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// The insert on Citus: with `RETURNING`, which Citus needs to run it under row-level
    /// security (see `CitusWrites`); the ids come from the coordinator's sequence in order.
    struct CitusAppendStatement: AppendStatementBindings {
        static let name = "fieldline_stream_append_citus"
        static let sql = insert + "\nRETURNING pending_id"
        static let bindingDataTypes = appendBindingTypes
        typealias Row = Int64

        let tenantID: UUID
        let events: [NewStreamEvent]
        let data: [String]

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// The append's text, for both forms.
    static let insert = """
            INSERT INTO stream_pending (tenant_id, conversation_id, job_id, kind, message_id, prior_assignee_id, prior_team_id, data)
            SELECT $1, NULLIF(e.conversation_id, '')::uuid, NULLIF(e.job_id, '')::uuid, e.kind, NULLIF(e.message_id, '')::uuid,
                   NULLIF(e.prior_assignee_id, '')::uuid, NULLIF(e.prior_team_id, '')::uuid, e.data::jsonb
            FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                 WITH ORDINALITY AS e(conversation_id, job_id, kind, message_id, prior_assignee_id, prior_team_id, data, position)
            ORDER BY e.position
            """
}

/// The bindings both forms of the append share.
protocol AppendStatementBindings: PostgresPreparedStatement {
    var tenantID: UUID { get }
    var events: [NewStreamEvent] { get }
    var data: [String] { get }
}

extension AppendStatementBindings {
    func makeBindings() throws -> PostgresBindings {
        // Arrays of optionals do not bind; an absent id travels as "" and becomes NULL.
        func ids(_ values: [UUID?]) -> [String] { values.map { $0?.uuidString ?? "" } }
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(tenantID)
        bindings.append(ids(events.map(\.conversationID)))
        bindings.append(ids(events.map(\.jobID)))
        bindings.append(events.map(\.kind.rawValue))
        bindings.append(ids(events.map(\.messageID)))
        bindings.append(ids(events.map(\.priorAssigneeID)))
        bindings.append(ids(events.map(\.priorTeamID)))
        bindings.append(data)
        return bindings
    }
}

/// The append's parameter types, for both forms.
private let appendBindingTypes: [PostgresDataType] = [.uuid, .textArray, .textArray, .textArray, .textArray, .textArray, .textArray, .textArray]
