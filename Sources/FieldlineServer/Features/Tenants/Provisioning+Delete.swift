import Foundation
import PostgresNIO

extension Provisioning {
    /// Deletes a tenant and every row it owns, in one transaction. Tables are found by their
    /// `tenant_id` column rather than listed, so a table added later is never forgotten; they are
    /// emptied in whatever order their foreign keys allow (a table still referenced is retried
    /// after the others), under the tenant's own row-level security. On Citus each delete goes to
    /// the tenant's shard alone (docs/scaling.md).
    ///
    /// The server's workers may still be writing for the tenant (an outbox row finishing, a timer):
    /// the tenant's row is locked first so that new rows for it wait, and a deadlock or a row that
    /// slipped in with a worker's earlier transaction makes the whole deletion start again.
    public func deleteTenant(_ tenantID: UUID, attempts: Int = 5) async throws {
        for attempt in 1...attempts {
            do {
                try await database.withTenant(tenantID) { connection in
                    try await connection.query("SELECT id FROM tenants WHERE id = \(tenantID) FOR UPDATE", logger: database.logger)
                    try await connection.query(Self.deleteTenantRows, logger: database.logger)
                    try await connection.query("DELETE FROM tenants WHERE id = \(tenantID)", logger: database.logger)
                }
                return
            } catch let error as PSQLError where attempt < attempts && Self.isRaceWithWorkers(error) {
                database.logger.notice("tenant deletion raced the tenant's workers; starting again", metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.sqlState ?? "")"])
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
    }

    /// A deadlock, a serialization failure, a row still referenced (`P0001` is the loop's own
    /// "still referenced"), or a foreign key a worker's insert just used.
    private static func isRaceWithWorkers(_ error: PSQLError) -> Bool {
        ["40P01", "40001", "23503", "P0001"].contains(error.sqlState ?? "")
    }

    private static let deleteTenantRows: PostgresQuery = """
        DO $$
        DECLARE
            remaining text[];
            target text;
            progress boolean;
        BEGIN
            SELECT array_agg(format('%I.%I', c.table_schema, c.table_name)) INTO remaining
            FROM information_schema.columns AS c
            JOIN information_schema.tables AS t USING (table_schema, table_name)
            WHERE c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' AND c.table_schema = current_schema();
            WHILE coalesce(cardinality(remaining), 0) > 0 LOOP
                progress := false;
                FOREACH target IN ARRAY remaining LOOP
                    BEGIN
                        -- The tenant as a bound value, not app_tenant_id() in the statement: Citus
                        -- then routes each delete to the tenant's shard (with the function it
                        -- deleted on every shard in parallel, after which it refused the
                        -- tenants row's delete in the same transaction).
                        EXECUTE format('DELETE FROM %s WHERE tenant_id = $1', target) USING app_tenant_id();
                        remaining := array_remove(remaining, target);
                        progress := true;
                    EXCEPTION WHEN foreign_key_violation THEN
                        NULL;
                    END;
                END LOOP;
                IF NOT progress THEN
                    RAISE EXCEPTION 'the tenant''s rows in % are still referenced', remaining;
                END IF;
            END LOOP;
        END $$
        """
}
