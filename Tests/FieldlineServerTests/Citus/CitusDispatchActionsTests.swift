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
                let org = try await Support.subcontractor(admin, "SMS Tow")
                _ = try await Support.member(admin, org, digits: "34600111222", kind: "sms")
                try await ProviderTestSupport.inbound(client, "sms", hook, id: "SMC1", text: "Hola")
                var jobs: [String] = []
                for order in ["PO-A", "PO-B", "PO-C"] {
                    let job = try await Support.job(admin, order)
                    #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                    jobs.append(job)
                    let sends = jobs.count
                    #expect(try await eventually { await log.requests.count == sends })
                }
                try await ProviderTestSupport.inbound(client, "sms", hook, id: "SMC2", text: "2")
                #expect(try await admin.get("/v1/jobs/\(jobs[2])").json["status"].string == "open")
                #expect(try await Support.offers(admin, jobs[2])[org]?["status"].string == "declined")
                try await ProviderTestSupport.inbound(client, "sms", hook, id: "SMC3", text: "accept po-a")
                #expect(try await admin.get("/v1/jobs/\(jobs[0])").json["status"].string == "assigned")
                #expect(try await admin.get("/v1/jobs/\(jobs[1])").json["status"].string == "offered")
                try await ProviderTestSupport.inbound(client, "sms", hook, id: "SMC4", text: "Accept PO-B")
                #expect(try await admin.get("/v1/jobs/\(jobs[1])").json["organization_id"].string == org)
            }
        }
    }

    @Test("simultaneous Accepts on the cluster: 10 crews press Accept at once through signed webhooks; exactly one assignment, 9 already taken, no 5xx")
    func dispatchConcurrentAccepts() async throws {
        let count = 10
        try await Self.withDispatchTenant { client, fixtures, admin, tenant, hook in
            var orgs: [String] = []
            for index in 0..<count {
                let digits = "3461000\(1000 + index)"
                let org = try await Support.subcontractor(admin, "Tow \(index)")
                orgs.append(org)
                _ = try await Support.member(admin, org, digits: digits)
                #expect(try await Support.whatsAppText(client, hook, from: digits, id: "wamid.CH\(index)", text: "hola").status == .ok)
            }
            let job = try await Support.job(admin, "PO-CRACE")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
            let offers = try await Support.offers(admin, job)
            #expect(offers.count == count)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, org) in orgs.enumerated() {
                    let choice = "offer:\(offers[org]?["id"].string?.lowercased() ?? ""):accept"
                    group.addTask {
                        Int(try await Support.whatsAppButton(
                            client, hook, from: "3461000\(1000 + index)", id: "wamid.CACC\(index)", choiceID: choice).status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
            let after = try await Support.offers(admin, job)
            let accepted = after.filter { $0.value["status"].string == "accepted" }
            #expect(accepted.count == 1)
            #expect(after.filter { $0.value["status"].string == "withdrawn" }.count == count - 1)
            #expect(try await admin.get("/v1/jobs/\(job)").json["organization_id"].string == accepted.first?.key)
            let taken = try await OfferFanOutTests.count(fixtures, tenant, """
                SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND kind = 'system' AND body = 'Sorry, PO-CRACE is already taken.'
                """)
            #expect(taken == count - 1)
        }
    }
}
