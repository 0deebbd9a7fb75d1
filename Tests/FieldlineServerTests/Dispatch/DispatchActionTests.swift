import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: the agent withdraws, broadcasts again, assigns by hand; exactly one winner against an Accept")
struct DispatchActionTests {
    typealias Support = BroadcastTestSupport

    @Test("withdraw one offer (one_by_one moves on), withdraw them all (the job is open again), broadcast again, refusals")
    func withdrawAndRebroadcast() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "First", kmNorth: 1, digits: "34615000001")
            let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Second", kmNorth: 2, digits: "34615000002")
            let job = try await Support.job(admin, "PO-ACT")
            #expect(try await admin.post("/v1/jobs/\(job)/offers/withdraw", "{}").json["error"]["code"].string == "job_not_offered")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", #"{"mode":"one_by_one"}"#).status == .created)
            let first = try #require(try await Support.offers(admin, job)[a.org]?["id"].string)

            // One offer withdrawn: its recipient is told, and the next one gets the job.
            let one = try await admin.post("/v1/offers/\(first)/withdraw", "")
            #expect(one.status == .ok, "\(one.text)")
            #expect(one.json["status"].string == "offered")
            #expect(one.json["offers"].array.count == 2)
            #expect(try await Support.offers(admin, job)[a.org]?["status"].string == "withdrawn")
            #expect(try await Support.systemTexts(fixtures, tenant, member: a.member).contains("PO-ACT is no longer available. Thank you."))
            #expect(try await admin.post("/v1/offers/\(first)/withdraw", "").json["error"]["code"].string == "offer_not_open")
            #expect(try await admin.post("/v1/offers/\(UUID())/withdraw", "").status == .notFound)

            // Broadcast again, everyone at once: the open offer ends quietly (its subcontractor gets the new one).
            let again = try await admin.post("/v1/jobs/\(job)/rebroadcast", #"{"mode":"all"}"#)
            #expect(again.status == .created, "\(again.text)")
            #expect(again.json["round"].int == 2)
            #expect(Set(again.json["offers"].array.compactMap { $0["organization_id"].string }) == [a.org, b.org])
            #expect(try await Support.systemTexts(fixtures, tenant, member: b.member).isEmpty)
            #expect(try await Support.published(fixtures, tenant, kind: "offer.withdrawn", count: 2))

            // Withdraw them all: the job is open again and every recipient told.
            let all = try await admin.post("/v1/jobs/\(job)/offers/withdraw", "{}")
            #expect(all.status == .ok, "\(all.text)")
            #expect(all.json["status"].string == "open")
            #expect(all.json["offers"].array.allSatisfy { $0["status"].string != "sent" })
            #expect(try await Support.systemTexts(fixtures, tenant, member: b.member) == ["PO-ACT is no longer available. Thank you."])
            #expect(try await Support.published(fixtures, tenant, kind: "job.reopened", count: 2))
            #expect(try await admin.post("/v1/jobs/\(job)/offers/withdraw", #"{"why":1}"#).status == .unprocessableContent)
        }
    }

    @Test("assign by hand: the others' offers are withdrawn and they are told; a taken job cannot be assigned or broadcast again")
    func assignByHand() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "First", kmNorth: 1, digits: "34616000001")
            let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Second", kmNorth: 2, digits: "34616000002")
            let job = try await Support.job(admin, "PO-HAND")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
            let unknown = try await admin.post("/v1/jobs/\(job)/assign", #"{"organization_id":"\#(UUID())"}"#)
            #expect(unknown.status == .unprocessableContent)
            let assigned = try await admin.post("/v1/jobs/\(job)/assign", #"{"organization_id":"\#(b.org)"}"#)
            #expect(assigned.status == .ok, "\(assigned.text)")
            #expect(assigned.json["status"].string == "assigned")
            #expect(assigned.json["organization_id"].string == b.org)
            let offers = try await Support.offers(admin, job)
            #expect(offers.values.allSatisfy { $0["status"].string == "withdrawn" })
            #expect(try await Support.systemTexts(fixtures, tenant, member: a.member) == ["PO-HAND was taken by another provider. Thank you."])
            #expect(try await Support.systemTexts(fixtures, tenant, member: b.member).isEmpty)
            #expect(try await admin.post("/v1/jobs/\(job)/assign", #"{"organization_id":"\#(a.org)"}"#).json["error"]["code"].string == "job_not_assignable")
            #expect(try await admin.post("/v1/jobs/\(job)/rebroadcast", "{}").json["error"]["code"].string == "job_not_open")
            // B's member pressing Accept now is told it is taken.
            let choice = "offer:\(offers[b.org]?["id"].string?.lowercased() ?? ""):accept"
            #expect(try await Support.whatsAppButton(client, hook, from: "34616000002", id: "wamid.LATEB", choiceID: choice).status == .ok)
            #expect(try await Support.systemTexts(fixtures, tenant, member: b.member) == ["Sorry, PO-HAND is already taken."])
        }
    }

    @Test("an Accept racing a manual assignment, ten times: exactly one winner each time, and the loser sees it")
    func acceptRacesAssignment() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Accepting", kmNorth: 1, digits: "34617000001")
            let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Chosen", kmNorth: 2, digits: "34617000002")
            var winners: [String: Int] = [:]
            for run in 0..<10 {
                let job = try await Support.job(admin, "PO-RACE-\(run)")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                let offer = try #require(try await Support.offers(admin, job)[a.org]?["id"].string?.lowercased())
                async let accept = Support.whatsAppButton(client, hook, from: "34617000001", id: "wamid.RACE\(run)", choiceID: "offer:\(offer):accept")
                async let manual = admin.post("/v1/jobs/\(job)/assign", #"{"organization_id":"\#(b.org)"}"#)
                let (accepted, assigned) = try await (accept, manual)
                #expect(accepted.status == .ok)
                let final = try await admin.get("/v1/jobs/\(job)").json
                #expect(final["status"].string == "assigned")
                let offers = try await Support.offers(admin, job)
                if assigned.status == .ok {
                    #expect(final["organization_id"].string == b.org)
                    #expect(offers[a.org]?["status"].string == "withdrawn")
                    winners["manual", default: 0] += 1
                } else {
                    #expect(assigned.json["error"]["code"].string == "job_not_assignable")
                    #expect(final["organization_id"].string == a.org)
                    #expect(offers[a.org]?["status"].string == "accepted")
                    winners["accept", default: 0] += 1
                }
            }
            #expect(winners.values.reduce(0, +) == 10)
            // Each race told the accepting member exactly one outcome.
            let texts = try await Support.systemTexts(fixtures, tenant, member: a.member)
            let outcomes = texts.filter { $0.contains("is yours. Thank you!") || $0.hasSuffix("is already taken.") || $0.hasSuffix("taken by another provider. Thank you.") }
            #expect(outcomes.count == (winners["accept"] ?? 0) + 2 * (winners["manual"] ?? 0), "\(texts)")
        }
    }
}
