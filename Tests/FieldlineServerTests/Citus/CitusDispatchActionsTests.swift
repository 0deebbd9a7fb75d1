import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// `one_by_one` and the dispatcher's actions on the cluster (`AllocationModeTests` and
/// `DispatchActionTests` on a single PostgreSQL).
extension CitusTests {
    @Test("one_by_one and actions on the cluster: a Decline passes the job on, a withdrawn offer too, an assignment by hand withdraws the open offer and tells its crew")
    func dispatchOneByOneAndActions() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "First", kmNorth: 1, digits: "34613000001")
            let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Second", kmNorth: 2, digits: "34613000002")
            let c = try await DispatchClock.subcontractor(admin, client, hook: hook, "Third", kmNorth: 3, digits: "34613000003")
            let job = try await Support.job(admin, "PO-C4")
            let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", #"{"mode":"one_by_one","timeout_seconds":300}"#)
            #expect(broadcast.status == .created, "\(broadcast.text)")
            #expect(broadcast.json["offers"].array.map { $0["organization_id"].string } == [a.org])

            // The first declines: the timer, queued now, offers the next nearest.
            let first = try #require(try await Support.offers(admin, job)[a.org]?["id"].string?.lowercased())
            #expect(try await Support.whatsAppButton(client, hook, from: "34613000001", id: "wamid.CO1", choiceID: "offer:\(first):decline").status == .ok)
            #expect(try await eventually { try await Support.offers(admin, job)[b.org] != nil })
            #expect(try await Support.offers(admin, job)[c.org] == nil)

            // The dispatcher withdraws the second's offer: its crew is told, the third gets the job.
            let second = try #require(try await Support.offers(admin, job)[b.org]?["id"].string)
            let withdrawn = try await admin.post("/v1/offers/\(second)/withdraw", "")
            #expect(withdrawn.status == .ok, "\(withdrawn.text)")
            #expect(withdrawn.json["offers"].array.count == 3, "\(withdrawn.text)")
            #expect(try await Support.systemTexts(fixtures, tenant, member: b.member) == ["PO-C4 is no longer available. Thank you."])

            // Assigned by hand to the first: the third's open offer is withdrawn and its crew told.
            let assigned = try await admin.post("/v1/jobs/\(job)/assign", #"{"organization_id":"\#(a.org)"}"#)
            #expect(assigned.status == .ok, "\(assigned.text)")
            #expect(assigned.json["status"].string == "assigned")
            let offers = try await Support.offers(admin, job)
            #expect(offers.mapValues { $0["status"].string } == [a.org: "declined", b.org: "withdrawn", c.org: "withdrawn"])
            #expect(try await Support.systemTexts(fixtures, tenant, member: c.member) == ["PO-C4 was taken by another provider. Thank you."])
            #expect(try await admin.get("/v1/jobs/\(job)").json["organization_id"].string == a.org)
            #expect(try await admin.post("/v1/jobs/\(job)/rebroadcast", "{}").json["error"]["code"].string == "job_not_open")
        }
    }
}
