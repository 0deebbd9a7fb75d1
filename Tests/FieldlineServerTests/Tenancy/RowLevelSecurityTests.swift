import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Row-level security")
struct RowLevelSecurityTests {
    /// Creates two tenants with one organization each, through the same code the API uses.
    private func twoTenants(_ fixtures: Fixtures) async throws -> (a: UUID, b: UUID) {
        let a = try await fixtures.provisioning.createTenant(name: "A", slug: "tenant-a").id
        let b = try await fixtures.provisioning.createTenant(name: "B", slug: "tenant-b").id
        let repository = PostgresOrganizationsRepository(database: fixtures.database)
        for (tenant, name) in [(a, "A HQ"), (b, "B HQ"), (b, "B Depot")] {
            _ = try await repository.create(.init(kind: .company, name: name, parentID: nil, tags: [], externalRef: nil), tenantID: tenant)
        }
        return (a, b)
    }

    @Test("a query that forgets WHERE tenant_id still sees only the current tenant's rows")
    func forgottenFilter() async throws {
        try await TestApp.run { _, fixtures in
            let (a, b) = try await twoTenants(fixtures)
            let names = try await fixtures.database.withTenant(a) { connection in
                try await connection.query("SELECT name FROM organizations ORDER BY name", logger: fixtures.database.logger)
                    .collect { try $0.decode(String.self) }
            }
            #expect(names == ["A HQ"])
            let countB = try await fixtures.database.withTenant(b) { connection in
                try await connection.query("SELECT count(*)::int FROM organizations", logger: fixtures.database.logger)
                    .first { try $0.decode(Int.self) }
            }
            #expect(countB == 2)
            // Writing a row into another tenant is refused by the policy's WITH CHECK.
            let id = UUID()
            let error = await #expect(throws: PSQLError.self) {
                try await fixtures.database.withTenant(a) { connection in
                    try await connection.query("""
                        INSERT INTO organizations (tenant_id, id, kind, name, path)
                        VALUES (\(b), \(id), 'company', 'sneaky', ARRAY[\(id)]::uuid[])
                        """, logger: fixtures.database.logger)
                }
            }
            #expect(error?.serverInfo?[.sqlState] == "42501", "expected a row-level security violation")
        }
    }

    @Test("a pooled connection reused by the next tenant, or by nobody, leaks nothing")
    func pooledConnectionReuse() async throws {
        try await TestApp.run { _, fixtures in
            let (a, b) = try await twoTenants(fixtures)
            let settings = fixtures.settings
            // One connection only, so every call below reuses the same session.
            try await withPostgres(settings, logger: TestDatabase.logger, poolSize: 1) { database in
                let pids = try await [a, b].asyncMap { tenant in
                    try await database.withTenant(tenant) { connection in
                        try await connection.query("SELECT pg_backend_pid()", logger: database.logger).first { try $0.decode(Int32.self) }
                    }
                }
                #expect(pids[0] == pids[1])
                let seenByB = try await database.withTenant(b) { connection in
                    try await connection.query("SELECT name FROM organizations ORDER BY name", logger: database.logger)
                        .collect { try $0.decode(String.self) }
                }
                #expect(seenByB == ["B Depot", "B HQ"])
                // Outside a tenant transaction the setting is gone: nothing is visible.
                let unscoped = try await database.client.query("SELECT count(*)::int FROM organizations", logger: database.logger)
                    .first { try $0.decode(Int.self) }
                #expect(unscoped == 0)
                let setting = try await database.client.query(
                    "SELECT coalesce(current_setting('app.tenant_id', true), '')", logger: database.logger
                ).first { try $0.decode(String.self) }
                #expect(setting == "")
            }
        }
    }

    @Test("every tenant-owned table has tenant_id leading its key and forced row-level security")
    func schemaRules() async throws {
        try await TestApp.run { _, fixtures in
            let rows = try await fixtures.database.client.query("""
                SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                       (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                        WHERE i.indrelid = c.oid AND i.indisprimary),
                       EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
                FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
                """, logger: fixtures.database.logger
            ).collect { try $0.decode((String, Bool, Bool, String?, Bool).self) }
            // Global by design (docs/tenancy.md): lookups used before a tenant is known, and the
            // outbox, which workers claim across tenants; it carries ids only, never bodies.
            let globalLookups: Set<String> = ["login_lookup", "api_key_lookup", "adapter_lookup", "outbox"]
            let tenantTables = rows.filter { !globalLookups.contains($0.0) }
            #expect(tenantTables.count >= 12)
            for (table, enabled, forced, leadingKey, hasPolicy) in tenantTables {
                #expect(enabled && forced && hasPolicy, "\(table) must have forced row-level security with a policy")
                #expect(leadingKey == "tenant_id", "\(table) primary key must start with tenant_id")
            }
            // Composite foreign keys: every FK between tenant tables starts with tenant_id.
            let badForeignKeys = try await fixtures.database.client.query("""
                SELECT conname FROM pg_constraint c
                WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
                  AND c.confrelid <> 'tenants'::regclass
                  AND (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]) <> 'tenant_id'
                """, logger: fixtures.database.logger
            ).collect { try $0.decode(String.self) }
            #expect(badForeignKeys.isEmpty)
        }
    }

    @Test("the server's role is neither superuser nor BYPASSRLS")
    func applicationRole() async throws {
        try await TestApp.run { _, fixtures in
            let row = try await fixtures.database.client.query(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", logger: fixtures.database.logger
            ).first { try $0.decode((Bool, Bool).self) }
            let (superuser, bypass) = try #require(row)
            #expect(!superuser)
            #expect(!bypass)
        }
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
