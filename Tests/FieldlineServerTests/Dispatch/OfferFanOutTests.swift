import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Dispatch: a large round sends its nearest offers in the request and the rest from the outbox (dispatch.deliver)")
struct OfferFanOutTests {
    typealias Support = BroadcastTestSupport

    /// `count` subcontractors covering the site, the n-th about n × 111 m from it, each with one
    /// member known on the crews' app as `fan-<n>`; made by SQL, as the benchmark does. Each
    /// insert has a `RETURNING` for the cluster (`CitusTests.dispatchLargeRound`): Citus copies an
    /// `INSERT … SELECT` from a temporary table into the shards otherwise, which row-level
    /// security refuses.
    static func seed(_ count: Int, _ fixtures: Fixtures, _ tenant: UUID) async throws {
        try await fixtures.database.withTenant(tenant) { connection in
            for statement: PostgresQuery in [
                "CREATE TEMP TABLE seed AS SELECT g, gen_random_uuid() AS org, gen_random_uuid() AS member FROM generate_series(1, \(count)) g",
                """
                INSERT INTO organizations (tenant_id, id, kind, name, path, tags)
                SELECT \(tenant), org, 'subcontractor', 'Fan ' || g, ARRAY[org], ARRAY['towing'] FROM seed RETURNING 1
                """,
                """
                INSERT INTO service_areas (tenant_id, id, organization_id, name, latitude, longitude, radius_km)
                SELECT \(tenant), gen_random_uuid(), org, 'Area ' || g, \(Support.site.latitude) + g * 0.001, \(Support.site.longitude), 30
                FROM seed RETURNING 1
                """,
                "INSERT INTO members (tenant_id, id, organization_id, name) SELECT \(tenant), member, org, 'Crew ' || g FROM seed RETURNING 1",
                """
                INSERT INTO member_identities (tenant_id, id, member_id, kind, external_id)
                SELECT \(tenant), gen_random_uuid(), member, 'app', 'fan-' || g FROM seed RETURNING 1
                """,
                "DROP TABLE seed",
            ] {
                _ = try await connection.query(statement, logger: fixtures.database.logger).collect()
            }
        }
    }

    /// An answer written in the crews' app by `sender`.
    static func answer(_ client: any TestClientProtocol, key: String, sender: String, id: String, text: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/app/messages", method: .post, headers: [.authorization: "Bearer \(key)", .contentType: "application/json"],
            body: ByteBuffer(string: #"{"sender":"\#(sender)","provider_message_id":"\#(id)","text":"\#(text)"}"#)) { $0 }
    }

    static func appKey(_ admin: APICaller) async throws -> String {
        try #require(try await admin.post("/v1/api-keys", #"{"name":"Crew app","scopes":["inbound:write"]}"#).json["key"].string)
    }

    static func count(_ fixtures: Fixtures, _ tenant: UUID, _ sql: PostgresQuery) async throws -> Int {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query(sql, logger: fixtures.database.logger).first { try $0.decode(Int.self) } ?? -1
        }
    }

    @Test("130 subcontractors: the 100 nearest have their messages when the broadcast answers, the 30 farthest right after, each once; the farthest's Accept wins, the 129 others are withdrawn right after and told once, a later Accept is already taken")
    func nearestFirstThenTheRest() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            try await Self.largeRoundScenario(client, fixtures, APICaller(client, fixture), fixture.tenant.id, count: 130, order: "PO-FAN")
        }
    }

    /// The member known on the app as `external`.
    static func member(_ fixtures: Fixtures, _ tenant: UUID, app external: String) async throws -> String {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query(
                "SELECT member_id::text FROM member_identities WHERE tenant_id = \(tenant) AND kind = 'app' AND external_id = \(external)",
                logger: fixtures.database.logger
            ).first { try $0.decode(String.self) } ?? ""
        }
    }

    @Test("the broadcast's answer lists the round's offers exactly as GET /v1/jobs/{id}/offers does, those left to the fan-out included")
    func answerAsListed() async throws {
        // No outbox worker: nothing changes the offers between the two answers.
        try await TestApp.run(configure: { $0.outboxConcurrency = 0 }) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            try await Self.seed(130, fixtures, fixture.tenant.id)
            let job = try await Support.job(admin, "PO-FAN3")
            let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", #"{"timeout_seconds":1234}"#)
            #expect(broadcast.status == .created, "\(broadcast.text)")
            let listed = try await admin.get("/v1/jobs/\(job)/offers")
            let offers = broadcast.json["offers"].array
            #expect(offers.count == 130 && offers.filter { $0["delivery_pending"].bool == true }.count == 30)
            #expect(offers == listed.json["data"].array)
        }
    }

    @Test("offers of a job taken before the fan-out reaches them are never sent: their mark is cleared, no message, no recipient")
    func closedBeforeTheFanOut() async throws {
        // No outbox worker: this test runs the fan-out itself, after the Accept.
        try await TestApp.run(configure: { $0.outboxConcurrency = 0 }) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let tenant = fixture.tenant.id
            let admin = APICaller(client, fixture)
            try await Self.seed(130, fixtures, tenant)
            let key = try await Self.appKey(admin)
            let job = try await Support.job(admin, "PO-FAN2")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
            #expect(try await Self.count(fixtures, tenant, """
                SELECT count(*)::int FROM outbox WHERE tenant_id = \(tenant) AND topic = 'dispatch.deliver' AND done_at IS NULL
                """) == 1)

            // The nearest accepts while the other 30 still wait for the fan-out.
            #expect(try await Self.answer(client, key: key, sender: "fan-1", id: "fan2-accept-1", text: "Accept PO-FAN2").status.code < 300)
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "assigned")
            let jobID = try #require(UUID(uuidString: job))
            try await fixtures.database.withTenantTransaction(tenant) { transaction in
                try await OfferFanOut.deliverNext(of: jobID, transaction)
            }
            let offers = try await Support.offers(admin, job).values
            #expect(offers.allSatisfy { $0["delivery_pending"].bool == false })
            #expect(offers.filter { $0["recipients"].array.isEmpty }.count == 30)
            #expect(try await Self.count(fixtures, tenant, """
                SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND kind = 'choice' AND direction = 'outbound' AND payload ? 'offer'
                """) == 100)
            // The winner's withdrawal of the 129 others waits for the outbox too (dispatch.withdraw).
            #expect(try await Self.count(fixtures, tenant, """
                SELECT count(*)::int FROM outbox WHERE tenant_id = \(tenant) AND topic = 'dispatch.withdraw' AND done_at IS NULL
                """) == 1)
            let won = try #require(offers.first { $0["status"].string == "accepted" }?["id"].string.flatMap(UUID.init(uuidString:)))
            try await fixtures.database.withTenantTransaction(tenant) { transaction in
                try await OfferWithdrawal.withdrawTaken(of: jobID, keeping: won, round: 1, transaction)
            }
            #expect(try await Support.offers(admin, job).values.filter { $0["status"].string == "withdrawn" }.count == 129)
        }
    }
}
