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

/// Sets `app.tenant_id` for the rest of the transaction: the first statement of every
/// `Database.withTenant`.
struct SetTenantStatement: PostgresPreparedStatement {
    static let name = "fieldline_set_tenant"
    static let sql = "SELECT set_config('app.tenant_id', $1, true)"
    static let bindingDataTypes: [PostgresDataType] = [.text]
    typealias Row = String

    let tenantID: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(tenantID.uuidString)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
}
