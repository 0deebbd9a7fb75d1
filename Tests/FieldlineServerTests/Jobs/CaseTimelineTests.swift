import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Case timeline: a job's whole story by id or order number, within what the viewer may see")
struct CaseTimelineTests {
    typealias Support = BroadcastTestSupport

    @Test("broadcast, an Accept from WhatsApp, work started, proof: every step in time order with who did it; by order number too; an agent does not see another's conversation")
    func wholeCase() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let me = "user:\(fixture.userID.uuidString.lowercased())"
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Grúas Norte", kmNorth: 1, digits: "34618000001")
                let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Grúas Sur", kmNorth: 2, digits: "34618000002")
                let job = try await Support.job(admin, "PO-CASE")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                let offers = try await Support.offers(admin, job)
                let choice = "offer:\(offers[a.org]?["id"].string?.lowercased() ?? ""):accept"
                #expect(try await Support.whatsAppButton(client, hook, from: "34618000001", id: "wamid.CASE1", choiceID: choice).status == .ok)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"in_progress"}"#).status == .ok)
                #expect(try await admin.post("/v1/jobs/\(job)/proofs", #"{"latitude":40.42,"longitude":-3.70}"#).status == .created)

                #expect(try await Support.noticesSent(fixtures, fixture.tenant.id))
                let response = try await admin.get("/v1/jobs/\(job)/timeline")
                #expect(response.status == .ok, "\(response.text)")
                let timeline = response.json
                #expect(timeline["job"]["order_number"].string == "PO-CASE")
                #expect(timeline["hidden_conversations"].int == 0)
                let entries = timeline["data"].array
                let times = entries.compactMap { $0["at"].string.flatMap(RFC3339.parse) }
                #expect(times.count == entries.count && times == times.sorted(), "in time order")
                func first(_ type: String, where matches: (JSON) -> Bool = { _ in true }) -> Int? {
                    entries.firstIndex { $0["type"].string == type && matches($0) }
                }
                let created = try #require(first("job.created"))
                #expect(entries[created]["actor"].string == me)
                let offered = try #require(first("job.status_changed") { $0["to_status"].string == "offered" })
                #expect(entries[offered]["actor"].string == me)
                #expect(entries.filter { $0["type"].string == "offer.sent" }.count == 2)
                #expect(entries.filter { $0["type"].string == "conversation.opened" }.count == 2)
                let answer = try #require(first("message") { $0["direction"].string == "inbound" && $0["kind"].string == "choice" })
                #expect(entries[answer]["actor"].string == "member:\(a.member)")
                let accepted = try #require(first("offer.status_changed") { $0["to_status"].string == "accepted" })
                #expect(entries[accepted]["actor"].string == "member:\(a.member)")
                #expect(entries[accepted]["organization_name"].string == "Grúas Norte")
                let assigned = try #require(first("job.status_changed") { $0["to_status"].string == "assigned" })
                #expect(entries[assigned]["actor"].string == "member:\(a.member)")
                #expect(entries[assigned]["organization_id"].string == a.org)
                let withdrawn = try #require(first("offer.status_changed") { $0["to_status"].string == "withdrawn" })
                #expect(entries[withdrawn]["organization_id"].string == b.org)
                #expect(first("message") { $0["text"].string == "PO-CASE was taken by another provider. Thank you." } != nil)
                #expect(first("message") { $0["text"].string?.hasPrefix("PO-CASE is yours. Thank you!") == true } != nil)
                let started = try #require(first("job.status_changed") { $0["to_status"].string == "in_progress" })
                #expect(entries[started]["actor"].string == me)
                let proof = try #require(first("proof.submitted"))
                #expect(created < offered && offered < answer && answer <= accepted && accepted < assigned && assigned < started && started < proof)

                // The same case by its order number; unknown and missing numbers are refused.
                let byOrder = try await admin.get("/v1/jobs/timeline?order_number=PO-CASE")
                #expect(byOrder.json["data"].array.count == entries.count)
                #expect(try await admin.get("/v1/jobs/timeline?order_number=PO-NONE").status == .notFound)
                #expect(try await admin.get("/v1/jobs/timeline").status == .badRequest)

                // An agent who may not see the second subcontractor's conversation (it is the admin's) sees the offers, not its messages.
                let conversationB = try #require(entries.first { $0["type"].string == "conversation.opened" && $0["member_id"].string == b.member }?["conversation_id"].string)
                #expect(try await admin.post("/v1/conversations/\(conversationB)/assign", #"{"assignee_id":"\#(fixture.userID.uuidString.lowercased())"}"#).status == .ok)
                let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
                let seen = try await agent.get("/v1/jobs/timeline?order_number=PO-CASE").json
                #expect(seen["hidden_conversations"].int == 1)
                #expect(seen["data"].array.allSatisfy { $0["conversation_id"].string != conversationB })
                #expect(seen["data"].array.filter { $0["type"].string == "offer.sent" }.count == 2)
            }
        }
    }
}
