import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// The opening of the allocation modes' scenarios, shared by `AllocationModeTests` and the
/// cluster's `CitusTests.dispatchNearestFirst` and `dispatchOneByOneAndActions`, which go on
/// differently from there.
extension AllocationModeTests {
    /// Three subcontractors 1, 1.8 and 8 km north of the site (`Near`, `Middle`, `Far`) and job
    /// `order` broadcast `nearest_first` (waves of one every 300 s, the reach doubling, three
    /// waves at most): the nearest is offered first; once the clock passes the interval
    /// (`advance`: `DispatchClock.advance`, or `CitusTests.advanceClock`), the second wave finds
    /// the middle one and the first offer stays open.
    static func nearestFirstSecondWave(
        _ client: any TestClientProtocol, _ fixtures: Fixtures, _ admin: APICaller, _ tenant: UUID, _ hook: String, order: String,
        advance: (Fixtures, UUID, Int) async throws -> Void
    ) async throws -> (near: (org: String, member: String), middle: (org: String, member: String), far: (org: String, member: String), job: String) {
        let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Near", kmNorth: 1, digits: "34612000001")
        let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Middle", kmNorth: 1.8, digits: "34612000002")
        let c = try await DispatchClock.subcontractor(admin, client, hook: hook, "Far", kmNorth: 8, digits: "34612000003")
        let job = try await Support.job(admin, order)
        let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", """
            {"mode":"nearest_first","wave_size":1,"wave_interval_seconds":300,"widen_factor":2,"max_waves":3,"timeout_seconds":3600}
            """)
        #expect(broadcast.status == .created, "\(broadcast.text)")
        #expect(broadcast.json["mode"].string == "nearest_first")
        #expect(broadcast.json["offers"].array.map { $0["organization_id"].string } == [a.org])
        let due = try #require(try await DispatchClock.nextTick(fixtures, tenant))
        #expect(abs(due - 300) < 30, "the next wave is the next deadline")

        // Wave 2 doubles the first wave's reach (~1 km) and finds the middle one.
        try await advance(fixtures, tenant, 301)
        #expect(try await eventually { try await Support.offers(admin, job).count == 2 })
        let second = try await Support.offers(admin, job)
        #expect(second[b.org]?["wave"].int == 2)
        #expect(second[a.org]?["status"].string == "sent", "earlier waves stay open")
        #expect(second[c.org] == nil)
        return (a, b, c, job)
    }

    /// Three subcontractors 1, 2 and 3 km north of the site (`First`, `Second`, `Third`) and job
    /// `order` broadcast `one_by_one` with offers of 300 s: the nearest alone is offered; its
    /// crew declines (message `wamid`) and the next nearest gets it, the job still offered and
    /// the third not yet.
    static func oneByOneDeclined(
        _ client: any TestClientProtocol, _ admin: APICaller, _ hook: String, order: String, wamid: String
    ) async throws -> (first: (org: String, member: String), second: (org: String, member: String), third: (org: String, member: String), job: String) {
        let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "First", kmNorth: 1, digits: "34613000001")
        let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Second", kmNorth: 2, digits: "34613000002")
        let c = try await DispatchClock.subcontractor(admin, client, hook: hook, "Third", kmNorth: 3, digits: "34613000003")
        let job = try await Support.job(admin, order)
        let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", #"{"mode":"one_by_one","timeout_seconds":300}"#)
        #expect(broadcast.status == .created, "\(broadcast.text)")
        #expect(broadcast.json["offers"].array.map { $0["organization_id"].string } == [a.org])

        // The first declines: the next nearest gets it (the timer, queued now, offers it).
        let first = try #require(try await Support.offers(admin, job)[a.org]?["id"].string?.lowercased())
        #expect(try await Support.whatsAppButton(client, hook, from: "34613000001", id: wamid, choiceID: "offer:\(first):decline").status == .ok)
        #expect(try await eventually { try await Support.offers(admin, job)[b.org] != nil })
        #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "offered")
        #expect(try await Support.offers(admin, job)[c.org] == nil)
        return (a, b, c, job)
    }
}
