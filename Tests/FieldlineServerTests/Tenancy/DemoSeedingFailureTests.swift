import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("The demo tenant: a seeding that fails partway")
struct DemoSeedingFailureTests {
    @Test("a demo that fails partway leaves no row of its tenant behind, and the next run seeds it")
    func failedSeedingLeavesNothing() async throws {
        try await TestApp.withDatabase { _, fixtures in
            let database = fixtures.database
            // Jobs are seeded last, after the tenant, its users, API key, network, teams and
            // routing: refuse them, naming the tenant so the test can look for its rows.
            try await database.client.query("""
                CREATE FUNCTION refuse_demo_job() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'no jobs for tenant %', NEW.tenant_id; END $$
                """, logger: database.logger)
            try await database.client.query(
                "CREATE TRIGGER refuse_demo_job BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION refuse_demo_job()",
                logger: database.logger)

            let error = await #expect(throws: (any Error).self) { try await fixtures.provisioning.seedDemo() }
            let message = try #require(error?.postgresError?.serverMessage)
            let tenantID = try #require(UUID(uuidString: String(message.dropFirst("no jobs for tenant ".count))), "\(message)")
            #expect(try await fixtures.provisioning.tenant(slug: Provisioning.demoSlug) == nil)
            let left = try await DemoTenantTests.rowsLeft(of: tenantID, in: database)
            #expect(left.isEmpty, "\(left)")

            try await database.client.query("DROP TRIGGER refuse_demo_job ON jobs", logger: database.logger)
            let demo = try #require(try await fixtures.provisioning.seedDemo())
            #expect(demo.tenantSlug == Provisioning.demoSlug)
            let seeded = try #require(try await fixtures.provisioning.tenant(slug: Provisioning.demoSlug))
            #expect(seeded.id != tenantID)
            #expect(try await Self.jobs(of: seeded.id, in: database) == ["PO-1001"])
        }
    }

    /// The order numbers of `tenantID`'s jobs.
    private static func jobs(of tenantID: UUID, in database: Database) async throws -> [String] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("SELECT order_number FROM jobs WHERE tenant_id = \(tenantID)", logger: database.logger)
                .collect { try $0.decode(String.self) }
        }
    }
}
