import FieldlineChannels
import FieldlineDomain
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Dispatch on the cluster: broadcasts whose offers go out through the fake provider, answered
/// by the crews through the provider's signed inbound webhook, and the dispatch timer.
extension CitusTests {
    typealias Support = BroadcastTestSupport

    /// Runs `body` with the application on the coordinator talking to a fake provider, an admin
    /// of a new tenant and its WhatsApp adapter's webhook path (as `DispatchClock.withTenant` does
    /// on a single PostgreSQL).
    static func withDispatchTenant(
        _ body: @Sendable (any TestClientProtocol, Fixtures, APICaller, UUID, String) async throws -> Void
    ) async throws {
        try await FakeProvider.run { baseURL, _ in
            try await Self.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await Self.tenant(fixtures)
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                try await body(client, fixtures, admin, fixture.tenant.id, hook)
            }
        }
    }

    /// `DispatchClock.advance` for the cluster: Citus refuses a `SET` calling a STABLE function
    /// on a column (`timestamptz - interval`), even on the coordinator's own outbox, so the times
    /// move in UTC, where the arithmetic is immutable; the same new times.
    static func advanceClock(_ fixtures: Fixtures, _ tenant: UUID, seconds: Int) async throws {
        try await fixtures.database.withTenant(tenant) { connection in
            let logger = fixtures.database.logger
            try await connection.query("""
                UPDATE offers SET expires_at = ((expires_at AT TIME ZONE 'UTC') - \(seconds) * interval '1 second') AT TIME ZONE 'UTC'
                WHERE tenant_id = \(tenant) AND expires_at IS NOT NULL
                """, logger: logger)
            try await connection.query("""
                UPDATE dispatch_rounds SET next_wave_at = ((next_wave_at AT TIME ZONE 'UTC') - \(seconds) * interval '1 second') AT TIME ZONE 'UTC'
                WHERE tenant_id = \(tenant) AND next_wave_at IS NOT NULL
                """, logger: logger)
            try await connection.query("""
                UPDATE outbox SET available_at = ((available_at AT TIME ZONE 'UTC') - \(seconds) * interval '1 second') AT TIME ZONE 'UTC'
                WHERE tenant_id = \(tenant) AND topic = 'dispatch.tick' AND done_at IS NULL AND dead_at IS NULL
                """, logger: logger)
        }
    }

    @Test("mode all on the cluster: three offers go out, the first Accept wins, the others are withdrawn and told, a later Accept is already taken")
    func dispatchAll() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            var orgs: [String] = [], members: [String] = []
            for index in 1...3 {
                let made = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow \(index)", kmNorth: Double(index), digits: "3460000000\(index)")
                orgs.append(made.org)
                members.append(made.member)
            }
            let job = try await Support.job(admin, "PO-C1")
            let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", "{}")
            #expect(broadcast.status == .created, "\(broadcast.text)")
            #expect(broadcast.json["mode"].string == "all")
            #expect(Set(broadcast.json["offers"].array.compactMap { $0["organization_id"].string }) == Set(orgs))
            #expect(broadcast.json["offers"].array.allSatisfy { $0["status"].string == "sent" && $0["recipients"].array.count == 1 }, "\(broadcast.text)")
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "offered")
            let offers = try await Support.offers(admin, job)
            let accept = orgs.map { "offer:\(offers[$0]?["id"].string?.lowercased() ?? ""):accept" }

            #expect(try await Support.whatsAppButton(client, hook, from: "34600000002", id: "wamid.CA2", choiceID: accept[1]).status == .ok)
            let assigned = try await admin.get("/v1/jobs/\(job)").json
            #expect(assigned["status"].string == "assigned", "\(assigned)")
            #expect(assigned["organization_id"].string == orgs[1])
            let after = try await Support.offers(admin, job)
            #expect(after[orgs[1]]?["status"].string == "accepted")
            #expect(after[orgs[1]]?["answered_by_member_id"].string == members[1])
            #expect(after[orgs[0]]?["status"].string == "withdrawn" && after[orgs[2]]?["status"].string == "withdrawn")
            // The withdrawn are told (dispatch.notices, after commit); the winner is told it is theirs.
            #expect(try await Support.systemTexts(fixtures, tenant, member: members[0]) == ["PO-C1 was taken by another provider. Thank you."])
            #expect(try await Support.systemTexts(fixtures, tenant, member: members[2]) == ["PO-C1 was taken by another provider. Thank you."])
            #expect(try await Support.systemTexts(fixtures, tenant, member: members[1]).count == 1)
            #expect(try await Support.published(fixtures, tenant, kind: "offer.accepted", count: 1))
            #expect(try await Support.published(fixtures, tenant, kind: "offer.withdrawn", count: 2))
            // A later Accept changes nothing and is told.
            #expect(try await Support.whatsAppButton(client, hook, from: "34600000001", id: "wamid.CA1", choiceID: accept[0]).status == .ok)
            #expect(try await Support.systemTexts(fixtures, tenant, member: members[0]).last == "Sorry, PO-C1 is already taken.")
            #expect(try await admin.get("/v1/jobs/\(job)").json["organization_id"].string == orgs[1])
            // The case timeline has each offer's sending (the broadcast's statement) and each change (the offers' trigger).
            let history = try await fixtures.database.withTenant(tenant) { connection in
                try await connection.query("""
                    SELECT to_status, count(*)::int FROM job_history
                    WHERE tenant_id = \(tenant) AND job_id = \(try #require(UUID(uuidString: job))) AND offer_id IS NOT NULL
                    GROUP BY to_status ORDER BY to_status
                    """, logger: fixtures.database.logger).collect { try $0.decode((String, Int).self) }
            }
            #expect(history.map { "\($0.0)=\($0.1)" } == ["accepted=1", "sent=3", "withdrawn=2"], "\(history)")
        }
    }

    @Test("mode all on the cluster: a Decline leaves the job offered; the dispatch timer expires the other offer, tells its crew and reopens the job")
    func dispatchDeclineAndExpiry() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34611000001")
            let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow B", kmNorth: 2, digits: "34611000002")
            let job = try await Support.job(admin, "PO-C2")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", #"{"timeout_seconds":600}"#).status == .created)
            let offers = try await Support.offers(admin, job)
            let due = try #require(try await DispatchClock.nextTick(fixtures, tenant))
            #expect(abs(due - 600) < 30, "the job's timer waits in the outbox until the offers expire")

            let decline = "offer:\(offers[a.org]?["id"].string?.lowercased() ?? ""):decline"
            #expect(try await Support.whatsAppButton(client, hook, from: "34611000001", id: "wamid.CD1", choiceID: decline).status == .ok)
            #expect(try await Support.offers(admin, job)[a.org]?["status"].string == "declined")
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "offered", "B's offer is still open")
            #expect(try await Support.published(fixtures, tenant, kind: "offer.declined", count: 1))

            try await Self.advanceClock(fixtures, tenant, seconds: 601)
            #expect(try await eventually { try await admin.get("/v1/jobs/\(job)").json["status"].string == "open" })
            let after = try await Support.offers(admin, job)
            #expect(after[a.org]?["status"].string == "declined")
            #expect(after[b.org]?["status"].string == "expired")
            #expect(try await Support.systemTexts(fixtures, tenant, member: b.member) == ["The offer for PO-C2 has expired. Thank you for your time."])
            #expect(try await Support.systemTexts(fixtures, tenant, member: a.member) == [])
            #expect(try await Support.published(fixtures, tenant, kind: "offer.expired", count: 1))
            #expect(try await DispatchClock.nextTick(fixtures, tenant) == nil, "nothing left to time")
        }
    }

    @Test("nearest_first on the cluster: the nearest first, the next wave by the timer, whose crew's Accept wins and withdraws the first")
    func dispatchNearestFirst() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            let (a, b, c, job) = try await AllocationModeTests.nearestFirstSecondWave(
                client, fixtures, admin, tenant, hook, order: "PO-C3", advance: Self.advanceClock)
            let second = try await Support.offers(admin, job)

            let accept = "offer:\(second[b.org]?["id"].string?.lowercased() ?? ""):accept"
            #expect(try await Support.whatsAppButton(client, hook, from: "34612000002", id: "wamid.CN2", choiceID: accept).status == .ok)
            let assigned = try await admin.get("/v1/jobs/\(job)").json
            #expect(assigned["status"].string == "assigned", "\(assigned)")
            #expect(assigned["organization_id"].string == b.org)
            #expect(try await Support.offers(admin, job)[a.org]?["status"].string == "withdrawn")
            #expect(try await Support.systemTexts(fixtures, tenant, member: a.member) == ["PO-C3 was taken by another provider. Thank you."])
            // The round is closed: later timers offer nobody else.
            try await Self.advanceClock(fixtures, tenant, seconds: 3600)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Support.offers(admin, job)[c.org] == nil)
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "assigned")
        }
    }
}
