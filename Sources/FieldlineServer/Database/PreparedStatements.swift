import Foundation
import Logging
import PostgresNIO

// The statements of the hot paths (every transaction's tenant, ingest) are prepared once per
// connection: PostgreSQL then skips parsing and planning them on each call, which was about a
// third of its CPU time under ingest load (bench/README.md).

extension PostgresConnection {
    /// Runs a prepared statement (preparing it on first use on this connection) and returns its rows.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}

extension PostgresConnection {
    /// Sets a setting for the rest of the open transaction with `SET LOCAL`: on Citus, with
    /// `citus.propagate_set_commands = 'local'` (sql/089), a `SET LOCAL` reaches the workers that
    /// the transaction uses, where row-level security and triggers read it; `set_config()` would
    /// stay on the coordinator. `SET` takes no bound parameters: the value is quoted here.
    func setLocal(_ name: StaticString, to value: String, logger: Logger) async throws {
        let literal = "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        try await query(PostgresQuery(unsafeSQL: "SET LOCAL \(name) = \(literal)"), logger: logger)
    }
}
