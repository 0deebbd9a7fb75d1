import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Dispatch: a large round sends its nearest offers in the request and the rest from the outbox (dispatch.deliver)")
struct OfferFanOutTests {
    typealias Support = BroadcastTestSupport

    /// `count` subcontractors covering the site, the n-th about n × 111 m from it, each with one
    /// member known on the crews' app as `fan-<n>`; made by SQL, as the benchmark does.
    static func seed(_ count: Int, _ fixtures: Fixtures, _ tenant: UUID) async throws {
        try await fixtures.database.withTenant(tenant) { connection in
            for statement: PostgresQuery in [
                "CREATE TEMP TABLE seed AS SELECT g, gen_random_uuid() AS org, gen_random_uuid() AS member FROM generate_series(1, \(count)) g",
                """
                INSERT INTO organizations (tenant_id, id, kind, name, path, tags)
                SELECT \(tenant), org, 'subcontractor', 'Fan ' || g, ARRAY[org], ARRAY['towing'] FROM seed
                """,
                """
                INSERT INTO service_areas (tenant_id, id, organization_id, name, latitude, longitude, radius_km)
                SELECT \(tenant), gen_random_uuid(), org, 'Area ' || g, \(Support.site.latitude) + g * 0.001, \(Support.site.longitude), 30 FROM seed
                """,
                "INSERT INTO members (tenant_id, id, organization_id, name) SELECT \(tenant), member, org, 'Crew ' || g FROM seed",
                """
                INSERT INTO member_identities (tenant_id, id, member_id, kind, external_id)
                SELECT \(tenant), gen_random_uuid(), member, 'app', 'fan-' || g FROM seed
                """,
                "DROP TABLE seed",
            ] {
                try await connection.query(statement, logger: fixtures.database.logger)
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
            let tenant = fixture.tenant.id
            let admin = APICaller(client, fixture)
            try await Self.seed(130, fixtures, tenant)
            let key = try await Self.appKey(admin)
            let job = try await Support.job(admin, "PO-FAN")

            let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", "{}")
            #expect(broadcast.status == .created, "\(broadcast.text)")
            let offers = broadcast.json["offers"].array
            #expect(offers.count == 130)
            let sent = offers.filter { $0["delivery_pending"].bool == false }
            let pending = offers.filter { $0["delivery_pending"].bool == true }
            #expect(sent.count == OfferFanOut.inline && pending.count == 30)
            #expect(sent.allSatisfy { $0["recipients"].array.count == 1 })
            #expect(pending.allSatisfy { $0["recipients"].array.isEmpty && $0["status"].string == "sent" })
            let farthestSent = sent.compactMap { $0["distance_m"].double }.max() ?? .infinity
            #expect(pending.allSatisfy { ($0["distance_m"].double ?? 0) > farthestSent }, "the nearest go first")

            #expect(try await eventually(seconds: 90) {
                try await Support.offers(admin, job).values.allSatisfy {
                    $0["delivery_pending"].bool == false && $0["recipients"].array.count == 1
                }
            })
            // One offer message, one recipient row and one send each: nothing twice.
            #expect(try await Self.count(fixtures, tenant, """
                SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND kind = 'choice' AND direction = 'outbound'
                """) == 130)
            #expect(try await Self.count(fixtures, tenant, "SELECT count(*)::int FROM offer_recipients WHERE tenant_id = \(tenant)") == 130)
            #expect(try await Self.count(fixtures, tenant, """
                SELECT count(*)::int FROM outbox WHERE tenant_id = \(tenant) AND topic = 'message.send'
                """) == 130)
            #expect(try await Self.count(fixtures, tenant, """
                SELECT count(*)::int FROM stream_events WHERE tenant_id = \(tenant) AND kind = 'message.created'
                """) >= 130)

            // The farthest subcontractor, reached by the fan-out, accepts from the app.
            let answered = try await Self.answer(client, key: key, sender: "fan-130", id: "fan-accept-130", text: "Accept PO-FAN")
            #expect(answered.status == .ok || answered.status == .created, "\(answered.body.getString(at: 0, length: answered.body.readableBytes) ?? "")")
            let assigned = try await admin.get("/v1/jobs/\(job)").json
            #expect(assigned["status"].string == "assigned")
            let farthest = offers.max { ($0["distance_m"].double ?? 0) < ($1["distance_m"].double ?? 0) }
            #expect(assigned["organization_id"].string == farthest?["organization_id"].string)

            // The 129 others are withdrawn right after (dispatch.withdraw), each recipient told once;
            // a later Accept is "already taken", decided without the job's lock, and changes nothing.
            #expect(try await eventually(seconds: 90) {
                try await Support.offers(admin, job).values.filter { $0["status"].string == "withdrawn" }.count == 129
            })
            let late = try await Self.answer(client, key: key, sender: "fan-7", id: "fan-accept-7", text: "Accept PO-FAN")
            #expect(late.status.code < 300)
            let after = try await Support.offers(admin, job).values
            #expect(after.filter { $0["status"].string == "accepted" }.count == 1)
            #expect(after.filter { $0["status"].string == "withdrawn" }.count == 129)
            let seventh = try await Self.member(fixtures, tenant, app: "fan-7")
            let texts = try await Support.systemTexts(fixtures, tenant, member: seventh)
            #expect(texts.filter { $0 == "PO-FAN was taken by another provider. Thank you." }.count == 1, "\(texts)")
            #expect(texts.last == "Sorry, PO-FAN is already taken.", "\(texts)")
            #expect(try await Self.count(fixtures, tenant, """
                SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND body = 'PO-FAN was taken by another provider. Thank you.'
                """) == 129)
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
