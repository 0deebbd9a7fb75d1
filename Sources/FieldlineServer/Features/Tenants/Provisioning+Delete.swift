import Foundation
import PostgresNIO

extension Provisioning {
    /// Deletes a tenant and every row it owns, in one transaction. Tables are found by their
    /// `tenant_id` column rather than listed, so a table added later is never forgotten; they are
    /// emptied in whatever order their foreign keys allow (a table still referenced is retried
    /// after the others), under the tenant's own row-level security.
    public func deleteTenant(_ tenantID: UUID) async throws {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(Self.deleteTenantRows, logger: database.logger)
            try await connection.query("DELETE FROM tenants WHERE id = \(tenantID)", logger: database.logger)
        }
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
                        EXECUTE format('DELETE FROM %s WHERE tenant_id = app_tenant_id()', target);
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
