import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: offers expire, jobs reopen or expire, timers in PostgreSQL")
struct OfferTimerTests {
    typealias Support = BroadcastTestSupport

    @Test("mode all: offers expire after the broadcast's timeout, their recipients are told, the job is open again (job.reopened) and a late Accept changes nothing")
    func offersExpire() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34611000001")
            let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow B", kmNorth: 2, digits: "34611000002")
            let job = try await Support.job(admin, "PO-EXP")
            let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", #"{"timeout_seconds":600}"#)
            #expect(broadcast.status == .created, "\(broadcast.text)")
            #expect(broadcast.json["mode"].string == "all")
            let offers = try await Support.offers(admin, job)
            #expect(offers.count == 2)
            let expiresAt = try #require(offers[a.org]?["expires_at"].string.flatMap(RFC3339.parse))
            #expect(abs(expiresAt.timeIntervalSinceNow - 600) < 30)
            let due = try #require(try await DispatchClock.nextTick(fixtures, tenant))
            #expect(abs(due - 600) < 30, "the job's timer waits in the outbox until the offers expire")

            // Nothing happens before the deadline; once it passes, the timer expires both offers.
            try await DispatchClock.advance(fixtures, tenant, seconds: 590)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "offered")
            try await DispatchClock.advance(fixtures, tenant, seconds: 11)
            #expect(try await eventually { try await admin.get("/v1/jobs/\(job)").json["status"].string == "open" })
            let after = try await Support.offers(admin, job)
            #expect(after.values.allSatisfy { $0["status"].string == "expired" })
            #expect(try await Support.systemTexts(fixtures, tenant, member: a.member).contains(
                "The offer for PO-EXP has expired. Thank you for your time."))
            #expect(try await Support.published(fixtures, tenant, kind: "offer.expired", count: 2))
            #expect(try await Support.published(fixtures, tenant, kind: "job.reopened", count: 2))
            #expect(try await DispatchClock.nextTick(fixtures, tenant) == nil, "nothing left to time")

            // A late Accept gets a clear reply and changes nothing.
            let choice = "offer:\(after[b.org]?["id"].string?.lowercased() ?? ""):accept"
            #expect(try await Support.whatsAppButton(client, hook, from: "34611000002", id: "wamid.LATE", choiceID: choice).status == .ok)
            #expect(try await Support.systemTexts(fixtures, tenant, member: b.member).contains(
                "Sorry, the offer for PO-EXP has expired; it can no longer be accepted."))
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "open")
            #expect(try await Support.offers(admin, job)[b.org]?["status"].string == "expired")
        }
    }

    @Test("a job whose window ends while offered becomes expired, its offers withdrawn and their recipients told")
    func windowEnds() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            try await Self.windowEndScenario(client, fixtures, admin, tenant, hook, advance: DispatchClock.advance)
        }
    }

    /// A broadcast job whose window ends before its offers expire: the dispatch timer, due at the
    /// window's end, makes it `expired`, withdraws its offer and tells the crew. `advance` moves
    /// the tenant's dispatch clock (`DispatchClock.advance`, or `CitusTests.advanceClock`).
    static func windowEndScenario(
        _ client: any TestClientProtocol, _ fixtures: Fixtures, _ admin: APICaller, _ tenant: UUID, _ hook: String,
        advance: (Fixtures, UUID, Int) async throws -> Void
    ) async throws {
        let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34611000011")
        let start = RFC3339.format(Date().addingTimeInterval(-3600))
        let end = RFC3339.format(Date().addingTimeInterval(120))
        let job = try #require(try await admin.post("/v1/jobs", #"""
            {"order_number":"PO-WIN","title":"Tow","latitude":40.4168,"longitude":-3.7038,"required_tags":["towing"],"window_start":"\#(start)","window_end":"\#(end)"}
            """#).json["id"].string)
        #expect(try await admin.post("/v1/jobs/\(job)/broadcast", #"{"timeout_seconds":3600}"#).status == .created)
        let due = try #require(try await DispatchClock.nextTick(fixtures, tenant))
        #expect(due > 60 && due < 130, "the window's end comes before the offers' expiry")
        // The window's end comes (first the job's, then its timer's).
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query(
                "UPDATE jobs SET window_end = now() - interval '1 second' WHERE tenant_id = \(tenant)", logger: fixtures.database.logger)
        }
        try await advance(fixtures, tenant, 200)
        #expect(try await eventually { try await admin.get("/v1/jobs/\(job)").json["status"].string == "expired" })
        #expect(try await Support.offers(admin, job)[a.org]?["status"].string == "withdrawn")
        #expect(try await Support.systemTexts(fixtures, tenant, member: a.member).contains("PO-WIN is no longer available. Thank you."))
        #expect(try await Support.published(fixtures, tenant, kind: "job.expired", count: 1))
        // The integrators' event, with the job as the API answers it.
        let expired = try await EventSourcesTests.recorded(fixtures, tenant, "job.expired")
        #expect(expired.count == 1)
        #expect(expired.first == (try await admin.get("/v1/jobs/\(job)").json))
    }

    @Test("the timer survives a restart: a due dispatch.tick left by one server is run by a freshly built one")
    func survivesRestart() async throws {
        try await TestApp.withDatabase { settings, fixtures in
            let fixture = try await fixtures.tenant()
            let tenant = fixture.tenant.id
            let first = try await buildApplication(config: testConfig(database: settings), logger: TestDatabase.logger)
            let job = try await first.test(.router) { (client: any TestClientProtocol) async throws -> String in
                let admin = APICaller(client, fixture)
                let org = try await Support.subcontractor(admin, "Tow R")
                _ = try await Support.member(admin, org, digits: "34611000021")
                let job = try await Support.job(admin, "PO-RESTART")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", #"{"timeout_seconds":900}"#).status == .created)
                return job
            }
            // The first server is gone; its timer waits in PostgreSQL. Its deadline passes.
            #expect(try await DispatchClock.nextTick(fixtures, tenant) != nil)
            try await DispatchClock.advance(fixtures, tenant, seconds: 901)
            let second = try await buildApplication(config: testConfig(database: settings), logger: TestDatabase.logger)
            try await second.test(.router) { (client: any TestClientProtocol) async throws -> Void in
                let admin = APICaller(client, fixture)
                #expect(try await eventually { try await admin.get("/v1/jobs/\(job)").json["status"].string == "open" })
                #expect(try await Support.offers(admin, job).values.allSatisfy { $0["status"].string == "expired" })
            }
        }
    }
}
