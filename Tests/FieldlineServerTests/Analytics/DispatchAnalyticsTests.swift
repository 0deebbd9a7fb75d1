import FieldlineChannels
import FieldlineDomain
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch analytics: time to first acceptance, offers per job, acceptance rate per subcontractor; JSON and CSV")
struct DispatchAnalyticsTests {
    typealias Support = BroadcastTestSupport

    @Test("two jobs: one taken at once, one passed along one by one; the figures per job and per subcontractor")
    func figures() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let tenant = fixture.tenant.id
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Alpha Tow", kmNorth: 1, digits: "34619000001")
                let b = try await DispatchClock.subcontractor(admin, client, hook: hook, "Beta Tow", kmNorth: 2, digits: "34619000002")
                let c = try await DispatchClock.subcontractor(admin, client, hook: hook, "Gamma Tow", kmNorth: 3, digits: "34619000003")
                func press(_ job: String, _ org: String, _ digits: String, _ answer: String, _ id: String) async throws {
                    let offer = try #require(try await Support.offers(admin, job)[org]?["id"].string?.lowercased())
                    #expect(try await Support.whatsAppButton(client, hook, from: digits, id: id, choiceID: "offer:\(offer):\(answer)").status == .ok)
                }
                // PO-1: everyone at once, Alpha takes it.
                let first = try await Support.job(admin, "PO-AN-1")
                #expect(try await admin.post("/v1/jobs/\(first)/broadcast", "{}").status == .created)
                try await press(first, a.org, "34619000001", "accept", "wamid.AN1")
                // PO-2: one by one; Alpha declines, Beta lets it expire, Gamma takes it.
                let second = try await Support.job(admin, "PO-AN-2")
                #expect(try await admin.post("/v1/jobs/\(second)/broadcast", #"{"mode":"one_by_one","timeout_seconds":300}"#).status == .created)
                try await press(second, a.org, "34619000001", "decline", "wamid.AN2")
                #expect(try await eventually { try await Support.offers(admin, second)[b.org] != nil })
                try await DispatchClock.advance(fixtures, tenant, seconds: 301)
                #expect(try await eventually { try await Support.offers(admin, second)[c.org] != nil })
                try await press(second, c.org, "34619000003", "accept", "wamid.AN3")
                #expect(try await admin.get("/v1/jobs/\(second)").json["status"].string == "assigned")

                let day = String(RFC3339.format(Date()).prefix(10))
                let jobs = try await admin.get("/v1/analytics/dispatch/jobs?from=\(day)&to=\(day)")
                #expect(jobs.status == .ok, "\(jobs.text)")
                #expect(jobs.json["summary"]["jobs"].int == 2)
                #expect(jobs.json["summary"]["jobs_accepted"].int == 2)
                #expect(jobs.json["summary"]["offers_sent"].int == 6)
                #expect(jobs.json["summary"]["offers_per_job_avg"].double == 3)
                #expect((jobs.json["summary"]["time_to_first_acceptance_avg_seconds"].double ?? -1) >= 0)
                let rows = jobs.json["data"].array
                #expect(rows.map { $0["order_number"].string } == ["PO-AN-1", "PO-AN-2"])
                #expect(rows.map { $0["accepted_by_organization_id"].string } == [a.org, c.org])
                #expect(rows.map { $0["offers_sent"].int } == [3, 3])

                let subs = try await admin.get("/v1/analytics/dispatch/subcontractors?from=\(day)&to=\(day)").json["data"].array
                #expect(subs.map { $0["name"].string } == ["Alpha Tow", "Beta Tow", "Gamma Tow"])
                #expect(subs.map { $0["offers"].int } == [2, 2, 2])
                #expect(subs.map { $0["accepted"].int } == [1, 0, 1])
                #expect(subs.map { $0["declined"].int } == [1, 0, 0])
                #expect(subs.map { $0["expired"].int } == [0, 1, 0])
                #expect(subs.map { $0["withdrawn"].int } == [0, 1, 1])
                #expect(subs.map { $0["acceptance_rate"].double } == [0.5, 0, 1])

                let csv = try await admin.get("/v1/analytics/dispatch/subcontractors?from=\(day)&to=\(day)&format=csv")
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = csv.text.split(separator: "\r\n").map(String.init)
                #expect(lines.first == "organization_id,name,offers,accepted,declined,expired,withdrawn,open,acceptance_rate,answer_avg_seconds")
                #expect(lines.count == 4)
                #expect(lines[1].hasPrefix("\(a.org),Alpha Tow,2,1,1,0,0,0,0.5,"))
                let jobsCSV = try await admin.send(.get, "/v1/analytics/dispatch/jobs?from=\(day)&to=\(day)", headers: [.accept: "text/csv"])
                #expect(jobsCSV.text.split(separator: "\r\n").count == 3)
                // Refusals: no period, an agent.
                #expect(try await admin.get("/v1/analytics/dispatch/jobs").status == .badRequest)
                let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
                #expect(try await agent.get("/v1/analytics/dispatch/jobs?from=\(day)&to=\(day)").status == .forbidden)
                _ = b
            }
        }
    }
}
