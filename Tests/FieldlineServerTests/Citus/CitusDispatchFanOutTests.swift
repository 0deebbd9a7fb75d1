import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

/// A round larger than `OfferFanOut.inline` on the cluster: the rest of its messages written by
/// the outbox (`dispatch.deliver`), the others' offers withdrawn after an Accept (`OfferFanOutTests`
/// on a single PostgreSQL).
extension CitusTests {
    /// `OfferFanOutTests.seed` for the cluster: the same rows, each insert with a `RETURNING`,
    /// since Citus copies an `INSERT … SELECT` from a temporary table into the shards otherwise,
    /// which row-level security refuses.
    static func seedSubcontractors(_ count: Int, _ fixtures: Fixtures, _ tenant: UUID) async throws {
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

    @Test("a large round on the cluster: 105 offers, the 100 nearest sent in the request, the rest by dispatch.deliver, each once; the farthest's Accept wins and the 104 others are withdrawn and told once")
    func dispatchLargeRound() async throws {
        try await Self.run { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let tenant = fixture.tenant.id
            let admin = APICaller(client, fixture)
            try await Self.seedSubcontractors(105, fixtures, tenant)
            let key = try await OfferFanOutTests.appKey(admin)
            let job = try await Support.job(admin, "PO-CFAN")

            let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", "{}")
            #expect(broadcast.status == .created, "\(broadcast.text)")
            let offers = broadcast.json["offers"].array
            #expect(offers.count == 105)
            #expect(offers.filter { $0["delivery_pending"].bool == true }.count == 5)
            #expect(try await eventually(seconds: 60) {
                try await Support.offers(admin, job).values.allSatisfy {
                    $0["delivery_pending"].bool == false && $0["recipients"].array.count == 1
                }
            })
            #expect(try await OfferFanOutTests.count(fixtures, tenant, """
                SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND kind = 'choice' AND direction = 'outbound'
                """) == 105)
            #expect(try await OfferFanOutTests.count(fixtures, tenant, "SELECT count(*)::int FROM offer_recipients WHERE tenant_id = \(tenant)") == 105)

            // The farthest, reached by the fan-out, accepts from the crews' app.
            let answered = try await OfferFanOutTests.answer(client, key: key, sender: "fan-105", id: "cfan-accept-105", text: "Accept PO-CFAN")
            #expect(answered.status.code < 300)
            let assigned = try await admin.get("/v1/jobs/\(job)").json
            #expect(assigned["status"].string == "assigned", "\(assigned)")
            let farthest = offers.max { ($0["distance_m"].double ?? 0) < ($1["distance_m"].double ?? 0) }
            #expect(assigned["organization_id"].string == farthest?["organization_id"].string)
            #expect(try await eventually(seconds: 60) {
                try await Support.offers(admin, job).values.filter { $0["status"].string == "withdrawn" }.count == 104
            })
            #expect(try await Support.noticesSent(fixtures, tenant))
            #expect(try await OfferFanOutTests.count(fixtures, tenant, """
                SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND body = 'PO-CFAN was taken by another provider. Thank you.'
                """) == 104)
        }
    }
}
