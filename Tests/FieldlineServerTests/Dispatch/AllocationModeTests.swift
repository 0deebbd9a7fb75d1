import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: allocation modes nearest_first and one_by_one, tenant defaults")
struct AllocationModeTests {
    typealias Support = BroadcastTestSupport

    @Test("nearest_first: the nearest first, then a radius widened by the factor after the interval, up to the last wave; the job reopens when the last offers expire")
    func nearestFirst() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let (_, _, c, job) = try await Self.nearestFirstSecondWave(client, fixtures, admin, tenant, hook, order: "PO-WAVE", advance: DispatchClock.advance)
            // Wave 3 (4 km) would find nobody new and is the last: the far one is never offered.
            try await DispatchClock.advance(fixtures, tenant, seconds: 301)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Support.offers(admin, job)[c.org] == nil)
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "offered")
            // The offers run out: nobody took it.
            try await DispatchClock.advance(fixtures, tenant, seconds: 3600)
            #expect(try await eventually { try await admin.get("/v1/jobs/\(job)").json["status"].string == "open" })
            #expect(try await Support.offers(admin, job).values.allSatisfy { $0["status"].string == "expired" })
            #expect(try await Support.offers(admin, job)[c.org] == nil)
        }
    }

    @Test("one_by_one: one subcontractor at a time, nearest first; a decline or an expiry passes it to the next, whose Accept wins")
    func oneByOne() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let (a, b, c, job) = try await Self.oneByOneDeclined(client, admin, hook, order: "PO-ONE", wamid: "wamid.DEC1")
            // The second lets it expire: the third gets it, and accepts.
            try await DispatchClock.advance(fixtures, tenant, seconds: 301)
            #expect(try await eventually { try await Support.offers(admin, job)[c.org] != nil })
            let offers = try await Support.offers(admin, job)
            #expect(offers[a.org]?["status"].string == "declined")
            #expect(offers[b.org]?["status"].string == "expired")
            #expect(offers[c.org]?["wave"].int == 3)
            let third = try #require(offers[c.org]?["id"].string?.lowercased())
            #expect(try await Support.whatsAppButton(client, hook, from: "34613000003", id: "wamid.ACC3", choiceID: "offer:\(third):accept").status == .ok)
            let assigned = try await admin.get("/v1/jobs/\(job)").json
            #expect(assigned["status"].string == "assigned")
            #expect(assigned["organization_id"].string == c.org)
            // The timer still queued for the offer's expiry finds nothing to do.
            try await DispatchClock.advance(fixtures, tenant, seconds: 400)
            #expect(try await eventually { try await DispatchClock.nextTick(fixtures, tenant) == nil })
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "assigned")
            #expect(try await Support.offers(admin, job)[c.org]?["status"].string == "accepted")
            _ = b
        }
    }

    @Test("the tenant's defaults: read, replaced (routing:manage), checked, and used by a broadcast that names no mode")
    func tenantDefaults() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let standard = try await admin.get("/v1/dispatch/settings")
            #expect(standard.status == .ok)
            #expect(standard.json["mode"].string == "all")
            #expect(standard.json["timeout_seconds"].int == 900)
            let bad = try await admin.put("/v1/dispatch/settings", """
                {"mode":"one_by_one","timeout_seconds":120,"wave_size":3,"wave_interval_seconds":60,"widen_factor":1,"max_waves":3}
                """)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.json["error"]["field"].string == "widen_factor")
            let unknownMode = try await admin.put("/v1/dispatch/settings", """
                {"mode":"lottery","timeout_seconds":120,"wave_size":3,"wave_interval_seconds":60,"widen_factor":2,"max_waves":3}
                """)
            #expect(unknownMode.status == .unprocessableContent)
            let saved = try await admin.put("/v1/dispatch/settings", """
                {"mode":"one_by_one","timeout_seconds":120,"wave_size":3,"wave_interval_seconds":60,"widen_factor":1.5,"max_waves":3}
                """)
            #expect(saved.status == .ok, "\(saved.text)")
            #expect(try await admin.get("/v1/dispatch/settings").json["mode"].string == "one_by_one")
            let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
            #expect(try await agent.put("/v1/dispatch/settings", saved.text).status == .forbidden)

            let org = try await Support.subcontractor(admin, "Tow D")
            _ = try await Support.member(admin, org, digits: "34614000001")
            _ = try await Support.member(admin, try await Support.subcontractor(admin, "Tow E"), digits: "34614000002")
            let job = try await Support.job(admin, "PO-DEFAULT")
            let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", "{}")
            #expect(broadcast.json["mode"].string == "one_by_one")
            #expect(broadcast.json["offers"].array.count == 1)
            let expiresAt = try #require(broadcast.json["offers"][0]["expires_at"].string.flatMap(RFC3339.parse))
            #expect(abs(expiresAt.timeIntervalSinceNow - 120) < 30)
            let tooShort = try await admin.post("/v1/jobs/\(job)/broadcast", #"{"timeout_seconds":0}"#)
            #expect(tooShort.status == .unprocessableContent)
        }
    }
}
