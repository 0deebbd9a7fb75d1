import FieldlineDomain
import Foundation
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
@testable import FieldlineServer

/// The real application against the coordinator of a three-node Citus cluster that
/// `scripts/citus-test` started and migrated (`FIELDLINE_CITUS_DATABASE_URL`); `scripts/test`
/// runs these through it, and leaves them out of its single-node run.
@Suite("Fieldline on a Citus cluster", .serialized)
struct CitusTests {
    /// The coordinator's database, migrated once by `scripts/citus-test` (Citus clusters make no
    /// per-test databases: every test works in tenants of its own).
    static func settings() throws -> DatabaseSettings {
        guard let url = ProcessInfo.processInfo.environment["FIELDLINE_CITUS_DATABASE_URL"] else {
            throw TestSetupError("FIELDLINE_CITUS_DATABASE_URL is not set: run these tests with scripts/citus-test")
        }
        return try DatabaseSettings(url: url, variable: "FIELDLINE_CITUS_DATABASE_URL")
    }

    /// Runs `body` against the application built on the coordinator.
    static func run(
        configure: (inout AppConfig) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, Fixtures) async throws -> Void
    ) async throws {
        let settings = try settings()
        var config = testConfig(database: settings)
        configure(&config)
        let app = try await buildApplication(config: config, logger: TestDatabase.logger)
        let tokens = await TokenService(secret: config.jwtSecret, ttl: config.jwtTTL)
        try await withPostgres(settings, logger: TestDatabase.logger) { database in
            let fixtures = Fixtures(settings: settings, database: database, tokens: tokens, provisioning: Provisioning(database: database, hasher: PasswordHasher(cost: 4)))
            try await app.test(.router) { client in try await body(client, fixtures) }
        }
    }

    /// A tenant of its own for one test, with its admin.
    static func tenant(_ fixtures: Fixtures, role: UserRole = .admin) async throws -> TenantFixture {
        try await fixtures.tenant("citus-" + UUID().uuidString.prefix(8).lowercased(), role: role)
    }

    /// One value from a query run as the superuser-free application role, outside any tenant.
    static func value<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery, _ fixtures: Fixtures) async throws -> T? {
        try await fixtures.database.client.query(query, logger: fixtures.database.logger).first { try $0.decode(T.self) }
    }

    @Test("the migrations distributed every tenant table by tenant_id, co-located, and made the look-ups reference tables")
    func distribution() async throws {
        try await Self.run { _, fixtures in
            let database = fixtures.database
            let undistributed = try await database.client.query(
                "SELECT fieldline_undistributed_tables()", logger: database.logger
            ).collect { try $0.decode(String.self) }
            #expect(undistributed == [], "tenant tables not distributed on Citus: \(undistributed)")
            let kinds = try await database.client.query("""
                SELECT table_name::text, citus_table_type FROM citus_tables ORDER BY 1
                """, logger: database.logger
            ).collect { try $0.decode((String, String).self) }
            let byTable = Dictionary(uniqueKeysWithValues: kinds)
            for table in ["tenants", "login_lookup", "api_key_lookup", "adapter_lookup"] {
                #expect(byTable[table] == "reference", "\(table)")
            }
            for table in ["organizations", "members", "conversations", "messages", "stream_events", "jobs", "offers"] {
                #expect(byTable[table] == "distributed", "\(table)")
            }
            #expect(byTable["outbox"] == nil || byTable["outbox"] == "local")
            let colocations = try await Self.value(Int.self, """
                SELECT count(DISTINCT colocation_id)::int FROM citus_tables WHERE citus_table_type = 'distributed'
                """, fixtures)
            #expect(colocations == 1)
        }
    }

    @Test("sign-in and API keys through the look-ups the code writes; teams, members and users change and go")
    func adminPlane() async throws {
        try await Self.run { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let admin = APICaller(client, fixture)
            let anonymous = APICaller(client, token: nil)
            // login_lookup, written by the code in the user's transaction (no trigger on Citus).
            let login = try await anonymous.post("/v1/auth/login", #"{"email":"\#(fixture.email)","password":"\#(TenantFixture.password)"}"#)
            #expect(login.status == .ok, "\(login.body)")
            let agent = try await admin.post("/v1/users", #"{"email":"agent-\#(UUID().uuidString.prefix(6).lowercased())@citus.test","name":"Agent","role":"agent","password":"\#(TenantFixture.password)"}"#)
            #expect(agent.status == .created, "\(agent.body)")
            let agentID = try #require(agent.json["id"].string)
            #expect(try await anonymous.post("/v1/auth/login", #"{"email":"\#(agent.json["email"].string ?? "")","password":"\#(TenantFixture.password)"}"#).status == .ok)
            #expect(try await admin.patch("/v1/users/\(agentID)", #"{"role":"supervisor"}"#).json["role"].string == "supervisor")

            // api_key_lookup, likewise.
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"Ops","scopes":["network:read"]}"#).json["key"].string)
            #expect(try await APICaller(client, token: key).get("/v1/organizations").status == .ok)

            let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
            let member = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"Lucía","identities":[{"kind":"app","external_id":"app-user-1"}]}"#)
            #expect(member.status == .created, "\(member.body)")
            let memberID = try #require(member.json["id"].string)
            #expect(try await admin.get("/v1/members/\(memberID)").json["name"].string == "Lucía")
            // Deletes that used to rely on ON DELETE SET NULL (sql/081).
            #expect(try await admin.delete("/v1/members/\(memberID)").status == .noContent)
            let team = try #require(try await admin.post("/v1/teams", #"{"name":"Dispatch"}"#).json["id"].string)
            #expect(try await admin.delete("/v1/teams/\(team)").status == .noContent)
            #expect(try await admin.get("/v1/teams/\(team)").status == .notFound)
        }
    }

    @Test("tenants stay apart on the cluster: row-level security reaches the workers")
    func isolation() async throws {
        try await Self.run { client, fixtures in
            let one = try await Self.tenant(fixtures)
            let other = try await Self.tenant(fixtures)
            let org = try #require(try await APICaller(client, one).post("/v1/organizations", #"{"kind":"subcontractor","name":"Mine"}"#).json["id"].string)
            #expect(try await APICaller(client, other).get("/v1/organizations/\(org)").status == .notFound)
            #expect(try await APICaller(client, other).get("/v1/organizations").json["data"].array.isEmpty)
            // No tenant filter at all: the policy on each worker's shards still applies.
            let seen = try await fixtures.database.withTenant(other.tenant.id) { connection in
                try await connection.query("SELECT count(*)::int FROM organizations", logger: fixtures.database.logger)
                    .first { try $0.decode(Int.self) }
            }
            #expect(seen == 0)
            let none = try await Self.value(Int.self, "SELECT count(*)::int FROM organizations", fixtures)
            #expect(none == 0)
        }
    }

    @Test("the stream publisher numbers each tenant's events in the order they were written, once each")
    func streamPublishing() async throws {
        try await Self.run { _, fixtures in
            let database = fixtures.database
            let tenants = [try await Self.tenant(fixtures).tenant.id, try await Self.tenant(fixtures).tenant.id]
            let conversation = UUID()
            for round in 1...3 {
                for tenantID in tenants {
                    try await database.withTenant(tenantID) { connection in
                        try await connection.query("""
                            INSERT INTO stream_pending (tenant_id, conversation_id, kind, data)
                            VALUES (\(tenantID), \(conversation), 'message.created', jsonb_build_object('round', \(round)))
                            """, logger: database.logger)
                    }
                }
                // The app's publisher runs too: whichever publishes, each event is published once.
                try await database.publishStreamEvents(of: tenants)
            }
            for tenantID in tenants {
                let rounds = try await database.withTenant(tenantID) { connection in
                    try await connection.query(
                        "SELECT (data->>'round')::int FROM stream_events WHERE tenant_id = \(tenantID) ORDER BY id", logger: database.logger
                    ).collect { try $0.decode(Int.self) }
                }
                #expect(rounds == [1, 2, 3])
                let pending = try await database.withTenant(tenantID) { connection in
                    try await connection.query("SELECT count(*)::int FROM stream_pending WHERE tenant_id = \(tenantID)", logger: database.logger)
                        .first { try $0.decode(Int.self) }
                }
                #expect(pending == 0)
            }
        }
    }

    @Test("the hot statements are single-shard plans")
    func routerPlans() async throws {
        try await Self.run { _, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let tenantID = fixture.tenant.id
            let statements: [String] = [
                "SELECT * FROM member_identities WHERE tenant_id = '\(tenantID)' AND kind = 'app' AND external_id = 'x'",
                "SELECT * FROM conversations WHERE tenant_id = '\(tenantID)' AND status = 'open' ORDER BY id DESC LIMIT 50",
                "SELECT * FROM messages WHERE tenant_id = '\(tenantID)' AND conversation_id = '\(UUID())' ORDER BY id DESC LIMIT 50",
                "INSERT INTO stream_pending (tenant_id, conversation_id, kind) VALUES ('\(tenantID)', '\(UUID())', 'x')",
            ]
            for statement in statements {
                let plan = try await fixtures.database.withTenant(tenantID) { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + statement), logger: fixtures.database.logger)
                        .collect { try $0.decode(String.self) }
                }.joined(separator: "\n")
                #expect(plan.contains("Task Count: 1"), "\(statement)\n\(plan)")
            }
        }
    }
}
