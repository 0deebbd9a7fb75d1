import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: answers to offers over SMS, and many accepts at once")
struct OfferAnswerTests {
    typealias Support = BroadcastTestSupport

    @Test("SMS with three open offers: \"2\" declines the latest (its job open again), titles such as \"accept po-a\" answer each of the others")
    func smsNumberedAndTitles() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "sms")
                try await Self.smsAnswersScenario(client, fixtures, admin, fixture.tenant.id, hook, log: log)
            }
        }
    }

    /// The SMS scenario of `smsNumberedAndTitles` and `CitusTests.dispatchSMSAnswers`: a crew
    /// member who has written in over SMS (adapter `hook`, the fake provider's `log`) gets three
    /// offers; "2" declines the latest (its job open again), "accept po-a" and "Accept PO-B"
    /// answer the others by their titles, each picking its own job.
    static func smsAnswersScenario(
        _ client: any TestClientProtocol, _ fixtures: Fixtures, _ admin: APICaller, _ tenant: UUID, _ hook: String, log: FakeProviderLog
    ) async throws {
        let org = try await Support.subcontractor(admin, "SMS Tow")
        _ = try await Support.member(admin, org, digits: "34600111222", kind: "sms")
        try await ProviderTestSupport.inbound(client, "sms", hook, id: "SM1", text: "Hola")
        var jobs: [String] = []
        for order in ["PO-A", "PO-B", "PO-C"] {
            let job = try await Support.job(admin, order)
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
            jobs.append(job)
            let sends = jobs.count
            #expect(try await eventually { await log.requests.count == sends })
        }
        let conversation = try await ProviderTestSupport.conversation(admin)
        #expect(try await eventually {
            try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
                .filter { $0["kind"].string == "choice" }.allSatisfy { $0["delivery_status"].string == "sent" }
        })
        let fields = FormEncoding.decode(Array(try #require(await log.requests.last).body.utf8))
        #expect(fields.first { $0.name == "Body" }?.value.hasSuffix("\n1) Accept PO-C\n2) Decline PO-C") == true)

        // "2" answers the latest (PO-C): declined, and with nobody left the job is open again.
        try await ProviderTestSupport.inbound(client, "sms", hook, id: "SM2", text: "2")
        #expect(try await admin.get("/v1/jobs/\(jobs[2])").json["status"].string == "open")
        #expect(try await Support.offers(admin, jobs[2])[org]?["status"].string == "declined")
        #expect(try await Support.published(fixtures, tenant, kind: "offer.declined", count: 1))
        // The earlier offers are answered by their titles, each picking its own job.
        try await ProviderTestSupport.inbound(client, "sms", hook, id: "SM3", text: "accept po-a")
        #expect(try await admin.get("/v1/jobs/\(jobs[0])").json["status"].string == "assigned")
        #expect(try await admin.get("/v1/jobs/\(jobs[1])").json["status"].string == "offered")
        let stored = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
            .first { $0["direction"].string == "inbound" && $0["payload"]["answer"].string == "accept po-a" }
        #expect(stored?["kind"].string == "choice")
        #expect(stored?["payload"]["choice_id"].string?.hasSuffix(":accept") == true)
        try await ProviderTestSupport.inbound(client, "sms", hook, id: "SM4", text: "Accept PO-B")
        #expect(try await admin.get("/v1/jobs/\(jobs[1])").json["status"].string == "assigned")
        #expect(try await admin.get("/v1/jobs/\(jobs[1])").json["organization_id"].string == org)
    }

    @Test("20 simultaneous accepts from 20 subcontractors through signed webhooks: exactly one assignment, 19 already taken, no 5xx")
    func concurrentAccepts() async throws {
        let count = 20
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                // Every offer's message has reached the provider before the crews answer.
                func allSent() async throws {
                    #expect(try await eventually { await log.requests.count == count })
                }
                try await Self.simultaneousAcceptsScenario(
                    [client], fixtures, admin, fixture.tenant.id, hook: hook, count: count, digits: "3461000", order: "PO-RACE", beforeAccepts: allSent)
            }
        }
    }
}
