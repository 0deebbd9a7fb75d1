import Foundation

/// The outbox insert as SQL text, for writers that queue rows inside one set-based statement
/// (ingest's store statement, a channel post's fan-out, routing's system messages), where a
/// round trip per row would cost what the statement saves. Rows written this way are the same
/// as `Outbox.enqueue`'s: the topic comes from the job type, the payload keys are checked against
/// its payload type.
enum OutboxSQL {
    /// `INSERT INTO outbox … SELECT … FROM <source>` queuing one `job` row per row of `source`,
    /// due now; use it as a statement or as a data-modifying CTE.
    ///
    /// - Parameters:
    ///   - tenant: an SQL expression for the tenant: a parameter (`$1`) or a column of `source`.
    ///   - payload: each payload key with the column of `source` that holds its value (uuid
    ///     columns become lowercase strings, as `Outbox.enqueue` writes them).
    ///   - source: what follows `FROM`: a CTE or table name, optionally with `ORDER BY`.
    static func insert<Job: OutboxJob>(
        _ job: Job.Type, tenant: String, payload: KeyValuePairs<String, String>, from source: String
    ) -> String {
        assert(decodes(Job.self, keys: payload.map(\.key)), "\(payload.map(\.key)) are not the keys of a \(Job.topic) payload")
        let object = payload.map { "\(literal($0.key)), \($0.value)" }.joined(separator: ", ")
        return """
            INSERT INTO outbox (tenant_id, topic, payload)
            SELECT \(tenant), \(literal(Job.topic)), jsonb_build_object(\(object))
            FROM \(source)
            """
    }

    /// Whether an object with `keys` (each holding an id, as the columns do) decodes as `job`'s payload.
    static func decodes<Job: OutboxJob>(_ job: Job.Type, keys: [String]) -> Bool {
        let sample = Dictionary(keys.map { ($0, UUID().uuidString.lowercased()) }, uniquingKeysWith: { first, _ in first })
        guard let data = try? JSONEncoder().encode(sample) else { return false }
        return (try? JSONDecoder().decode(Job.Payload.self, from: data)) != nil
    }

    /// `text` as an SQL string literal.
    private static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
