import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// `one_by_one`, the dispatcher's actions and the crews' answers on the cluster (`AllocationModeTests`,
/// `DispatchActionTests` and `OfferAnswerTests` on a single PostgreSQL, whose decline, SMS and
/// simultaneous-Accepts scenarios these run).
extension CitusTests {
    @Test("one_by_one and actions on the cluster: a Decline passes the job on, a withdrawn offer too, an assignment by hand withdraws the open offer and tells its crew")
    func dispatchOneByOneAndActions() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            let (a, b, c, job) = try await AllocationModeTests.oneByOneDeclined(client, admin, hook, order: "PO-C4", wamid: "wamid.CO1")

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

    @Test("rebroadcast and withdraw-all on the cluster: a new round ends the open offer quietly, withdrawing them all reopens the job and tells every crew")
    func dispatchRebroadcastAndWithdrawAll() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "First", kmNorth: 1, digits: "34615000001")
            let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Second", kmNorth: 2, digits: "34615000002")
            let job = try await Support.job(admin, "PO-C5")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", #"{"mode":"one_by_one"}"#).status == .created)
            #expect(try await Support.offers(admin, job).keys.sorted() == [a.org])
            let again = try await admin.post("/v1/jobs/\(job)/rebroadcast", #"{"mode":"all"}"#)
            #expect(again.status == .created, "\(again.text)")
            #expect(again.json["round"].int == 2)
            #expect(Set(again.json["offers"].array.compactMap { $0["organization_id"].string }) == [a.org, b.org])
            #expect(try await Support.systemTexts(fixtures, tenant, member: a.member).isEmpty, "its subcontractor got the new round's offer")

            let all = try await admin.post("/v1/jobs/\(job)/offers/withdraw", "{}")
            #expect(all.status == .ok, "\(all.text)")
            #expect(all.json["status"].string == "open")
            #expect(all.json["offers"].array.allSatisfy { $0["status"].string != "sent" }, "\(all.text)")
            #expect(try await Support.systemTexts(fixtures, tenant, member: a.member) == ["PO-C5 is no longer available. Thank you."])
            #expect(try await Support.systemTexts(fixtures, tenant, member: b.member) == ["PO-C5 is no longer available. Thank you."])
            #expect(try await Support.published(fixtures, tenant, kind: "job.reopened", count: 2))
        }
    }

    @Test("SMS on the cluster: with three open offers \"2\" declines the latest (its job open again), titles such as \"accept po-a\" answer the others")
    func dispatchSMSAnswers() async throws {
        try await FakeProvider.run { baseURL, log in
            try await Self.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await Self.tenant(fixtures)
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "sms")
                try await OfferAnswerTests.smsAnswersScenario(client, fixtures, admin, fixture.tenant.id, hook, log: log)
            }
        }
    }

    @Test("simultaneous Accepts on the cluster: 10 crews press Accept at once through signed webhooks; exactly one assignment, 9 already taken, no 5xx")
    func dispatchConcurrentAccepts() async throws {
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            try await OfferAnswerTests.simultaneousAcceptsScenario(
                [client], fixtures, admin, tenant, hook: hook, count: 10, digits: "3461000", order: "PO-CRACE")
        }
    }
}
