import FieldlineChannels
import FieldlineDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: broadcast offers, the first acceptance wins")
struct BroadcastTests {
    typealias Support = BroadcastTestSupport

    @Test("broadcast to 3 subcontractors; one accepts by WhatsApp button: assigned, the others withdrawn and told, a later Accept is already taken, a stranger changes nothing")
    func acceptByButton() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                var orgs: [String] = [], members: [String] = []
                for index in 1...3 {
                    let org = try await Support.subcontractor(admin, "Tow \(index)")
                    orgs.append(org)
                    members.append(try await Support.member(admin, org, digits: "3460000000\(index)"))
                    #expect(try await Support.whatsAppText(client, hook, from: "3460000000\(index)", id: "wamid.H\(index)", text: "hola").status == .ok)
                }
                let nobody = try await Support.subcontractor(admin, "Nobody reachable")
                let job = try await Support.job(admin, "PO-1001")

                let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "broadcast-po-1001"]
                let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", "{}", headers: key)
                #expect(broadcast.status == .created, "\(broadcast.text)")
                #expect(broadcast.json["status"].string == "offered")
                #expect(broadcast.json["round"].int == 1)
                #expect(Set(broadcast.json["offers"].array.compactMap { $0["organization_id"].string }) == Set(orgs))
                #expect(broadcast.json["unreachable_organization_ids"].array.compactMap(\.string) == [nobody])
                #expect(broadcast.json["offers"].array.allSatisfy { $0["status"].string == "sent" && $0["recipients"].array.count == 1 })
                let replay = try await admin.post("/v1/jobs/\(job)/broadcast", "{}", headers: key)
                #expect(replay.status == .created && replay.text == broadcast.text)
                let again = try await admin.post("/v1/jobs/\(job)/broadcast", "{}")
                #expect(again.status == .conflict && again.json["error"]["code"].string == "job_not_open")
                #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "offered")

                // Each member got WhatsApp reply buttons whose ids name the offer, titled with the order number.
                #expect(try await eventually { await log.requests.count == 3 })
                let offers = try await Support.offers(admin, job)
                let sent = try await log.requests.map(ProviderTestSupport.body)
                let buttons = sent.compactMap { ($0["interactive"] as? [String: Any])?["action"] as? [String: Any] }
                    .compactMap { $0["buttons"] as? [[String: Any]] }.flatMap { $0 }.compactMap { $0["reply"] as? [String: Any] }
                let acceptIDs = orgs.map { "offer:\(offers[$0]?["id"].string?.lowercased() ?? ""):accept" }
                #expect(Set(buttons.compactMap { $0["id"] as? String }).isSuperset(of: acceptIDs))
                #expect(buttons.contains { $0["title"] as? String == "Accept PO-1001" })

                let win = try await Support.whatsAppButton(client, hook, from: "34600000002", id: "wamid.A2", choiceID: acceptIDs[1])
                #expect(win.status == .ok)
                let assigned = try await admin.get("/v1/jobs/\(job)").json
                #expect(assigned["status"].string == "assigned")
                #expect(assigned["organization_id"].string == orgs[1])
                let after = try await Support.offers(admin, job)
                #expect(after[orgs[1]]?["status"].string == "accepted")
                #expect(after[orgs[1]]?["answered_by_member_id"].string == members[1])
                #expect(after[orgs[0]]?["status"].string == "withdrawn" && after[orgs[2]]?["status"].string == "withdrawn")
                let tenant = fixture.tenant.id
                #expect(try await Support.systemTexts(fixtures, tenant, member: members[0]) == ["PO-1001 was taken by another provider. Thank you."])
                #expect(try await Support.systemTexts(fixtures, tenant, member: members[1]) == [OfferText.acceptedWithDone(orderNumber: "PO-1001")])
                #expect(try await Support.published(fixtures, tenant, kind: "job.assigned", count: 1))
                #expect(try await Support.published(fixtures, tenant, kind: "offer.accepted", count: 1))

                // A later Accept (its offer withdrawn) is told politely; nothing changes.
                #expect(try await Support.whatsAppButton(client, hook, from: "34600000001", id: "wamid.A1", choiceID: acceptIDs[0]).status == .ok)
                #expect(try await Support.systemTexts(fixtures, tenant, member: members[0]).last == "Sorry, PO-1001 is already taken.")
                // Someone never offered the job presses a copied button: stored, nothing changes.
                #expect(try await Support.whatsAppButton(client, hook, from: "34699999999", id: "wamid.X", choiceID: acceptIDs[2]).status == .ok)
                let unchanged = try await Support.offers(admin, job)
                #expect(unchanged.mapValues { $0["status"].string } == after.mapValues { $0["status"].string })
                #expect(try await admin.get("/v1/jobs/\(job)").json["organization_id"].string == orgs[1])
                let stranger = try await admin.get("/v1/conversations?limit=100").json["data"].array.count
                #expect(stranger == 4)
                // Delivered: every offer message and note went out.
                #expect(try await eventually { await log.requests.count == 3 + 2 + 1 + 1 })
            }
        }
    }

    @Test("broadcast refusals: unknown job 404, no site 409, a non-candidate 422, nobody reachable 409; nothing changes on a refusal")
    func refusals() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            #expect(try await admin.post("/v1/jobs/\(UUID())/broadcast", "{}").status == .notFound)
            #expect(try await admin.get("/v1/jobs/\(UUID())/offers").status == .notFound)
            let noSite = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-0","title":"Call"}"#).json["id"].string)
            #expect(try await admin.post("/v1/jobs/\(noSite)/broadcast", "{}").json["error"]["code"].string == "job_has_no_site")
            let job = try await Support.job(admin, "PO-1")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").json["error"]["code"].string == "no_candidates")
            let org = try await Support.subcontractor(admin, "Silent")
            let unreachable = try await admin.post("/v1/jobs/\(job)/broadcast", #"{"organization_ids":["\#(org)"]}"#)
            #expect(unreachable.status == .conflict && unreachable.json["error"]["code"].string == "no_reachable_candidates")
            let stranger = try await admin.post("/v1/jobs/\(job)/broadcast", #"{"organization_ids":["\#(UUID())"]}"#)
            #expect(stranger.status == .unprocessableContent && stranger.json["error"]["field"].string == "organization_ids[0]")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", #"{"organization_ids":[]}"#).status == .unprocessableContent)
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "open")
            #expect(try await admin.get("/v1/jobs/\(job)/offers").json["data"].array.isEmpty)
        }
    }

    @Test("a job moved out of offered by hand withdraws its open offers and tells their recipients; a late Accept changes nothing")
    func manualChange() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let org = try await Support.subcontractor(admin, "Tow")
                let member = try await Support.member(admin, org, digits: "34600000001")
                #expect(try await Support.whatsAppText(client, hook, from: "34600000001", id: "wamid.H1", text: "hola").status == .ok)
                let job = try await Support.job(admin, "PO-5")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                let offer = try #require(try await Support.offers(admin, job)[org]?["id"].string)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"cancelled"}"#).status == .ok)
                #expect(try await Support.offers(admin, job)[org]?["status"].string == "withdrawn")
                #expect(try await Support.systemTexts(fixtures, fixture.tenant.id, member: member) == ["PO-5 is no longer available. Thank you."])
                let accept = "offer:\(offer.lowercased()):accept"
                #expect(try await Support.whatsAppButton(client, hook, from: "34600000001", id: "wamid.A", choiceID: accept).status == .ok)
                #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "cancelled")
                #expect(try await Support.systemTexts(fixtures, fixture.tenant.id, member: member).last == "PO-5 is no longer open to you.")
            }
        }
    }
}
