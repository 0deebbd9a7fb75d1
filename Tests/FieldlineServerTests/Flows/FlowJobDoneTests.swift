import FieldlineChannels
import FieldlineDomain
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Flows: the \"Job done\" choice on the assignment message starts the proof flow for its job")
struct FlowJobDoneTests {
    typealias Support = BroadcastTestSupport

    /// The runs of `job`.
    static func runs(_ admin: APICaller, job: String) async throws -> [JSON] {
        try await admin.get("/v1/flow-runs?job_id=\(job)").json["data"].array
    }

    @Test("WhatsApp: the winner's message has a Job done button; pressing the one of an earlier job runs the proof flow for that job, not the latest; a job no longer theirs starts nothing")
    func whatsAppButtonNamesItsJob() async throws {
        let digits = "34611000777"
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let org = try await Support.subcontractor(admin, "Grúas Sur")
                _ = try await Support.member(admin, org, digits: digits)
                #expect(try await Support.whatsAppText(client, hook, from: digits, id: "wamid.D0", text: "hola").status == .ok)
                var jobs: [String] = []
                for (index, order) in ["PO-OLD", "PO-NEW"].enumerated() {
                    let job = try await Support.job(admin, order)
                    jobs.append(job)
                    #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                    let offer = try #require(try await Support.offers(admin, job)[org]?["id"].string)
                    #expect(try await Support.whatsAppButton(
                        client, hook, from: digits, id: "wamid.A\(index)", choiceID: OfferChoice.id(UUID(uuidString: offer)!, .accept)).status == .ok)
                    #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "assigned")
                    // The winner hears it is theirs, with a button that names the job.
                    let yours = "\(order) is yours"
                    #expect(try await eventually { await log.requests.contains { $0.body.contains(yours) } })
                    let told = try #require(await log.requests.last { $0.body.contains(yours) })
                    #expect(told.body.contains(#""id":"\#(JobDoneChoice.id(UUID(uuidString: job)!))""#), "\(told.body)")
                    #expect(told.body.contains("Job done \(order)"), "\(told.body)")
                }
                #expect(try await Self.runs(admin, job: jobs[0]).isEmpty)

                // PO-NEW is taken back before the crew says it is done: its button starts nothing,
                // and the press stays in the conversation as a choice for the agent to see.
                #expect(try await admin.patch("/v1/jobs/\(jobs[1])", #"{"status":"cancelled"}"#).status == .ok)
                #expect(try await Support.whatsAppButton(
                    client, hook, from: digits, id: "wamid.D9", choiceID: JobDoneChoice.id(UUID(uuidString: jobs[1])!)).status == .ok)
                #expect(try await Self.runs(admin, job: jobs[1]).isEmpty)
                let conversation = try await ProviderTestSupport.conversation(admin)
                #expect(try await admin.get("/v1/conversations/\(conversation)").json["flow_run"].isNull)
                let pressed = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
                    .first { $0["direction"].string == "inbound" && $0["payload"]["choice_id"].string == JobDoneChoice.id(UUID(uuidString: jobs[1])!) }
                #expect(pressed?["kind"].string == "choice")

                // The older job's button: a typed "done" would pick the latest job (PO-NEW).
                #expect(try await Support.whatsAppButton(
                    client, hook, from: digits, id: "wamid.D1", choiceID: JobDoneChoice.id(UUID(uuidString: jobs[0])!)).status == .ok)
                let runs = try await Self.runs(admin, job: jobs[0])
                #expect(runs.count == 1, "\(runs)")
                #expect(runs.first?["flow_name"].string == "Proof of service")
                #expect(runs.first?["started_by"].string == "trigger:job_done")
                #expect(runs.first?["step_id"].string == "photos")
                #expect(try await Self.runs(admin, job: jobs[1]).isEmpty)
                #expect(try await eventually {
                    await log.requests.contains { $0.body.contains("Job PO-OLD: please send 1 to 5 photos of the finished work.") }
                })
                // The press is part of the job's story, beside the message that offered it.
                let press = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
                    .first { $0["payload"]["choice_id"].string == JobDoneChoice.id(UUID(uuidString: jobs[0])!) }?["id"].string
                let timeline = try await admin.get("/v1/jobs/\(jobs[0])/timeline").json["data"].array
                #expect(press != nil && timeline.contains { $0["message_id"].string == press }, "\(timeline)")
                #expect(!(try await admin.get("/v1/jobs/\(jobs[1])/timeline").json["data"].array.contains { $0["message_id"].string == press }))
                // A retried press is the same message: still one run.
                #expect(try await Support.whatsAppButton(
                    client, hook, from: digits, id: "wamid.D1", choiceID: JobDoneChoice.id(UUID(uuidString: jobs[0])!)).status == .ok)
                #expect(try await Self.runs(admin, job: jobs[0]).count == 1)
            }
        }
    }

    @Test("SMS: the assignment ends with \"1) Job done PO-…\" and \"1\" starts the proof flow for the job")
    func smsNumberedAndNoLongerTheirs() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "sms")
                let org = try await Support.subcontractor(admin, "SMS Tow")
                _ = try await Support.member(admin, org, digits: "34600111222", kind: "sms")
                try await ProviderTestSupport.inbound(client, "sms", hook, id: "SM1", text: "Hola")
                let job = try await Support.job(admin, "PO-SMS")
                #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                #expect(try await eventually { await log.requests.count == 1 })
                let conversation = try await ProviderTestSupport.conversation(admin)
                @Sendable func sentAll() async throws -> Bool {
                    try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
                        .filter { $0["direction"].string == "outbound" }.allSatisfy { $0["delivery_status"].string == "sent" }
                }
                #expect(try await eventually { try await sentAll() })
                try await ProviderTestSupport.inbound(client, "sms", hook, id: "SM2", text: "1")
                #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "assigned")
                #expect(try await eventually { await log.requests.count == 2 })
                #expect(try await eventually { try await sentAll() })
                let told = FormEncoding.decode(Array(try #require(await log.requests.last).body.utf8)).first { $0.name == "Body" }?.value
                #expect(told?.hasPrefix("PO-SMS is yours.") == true, "\(told ?? "")")
                #expect(told?.hasSuffix("\n1) Job done PO-SMS") == true, "\(told ?? "")")

                try await ProviderTestSupport.inbound(client, "sms", hook, id: "SM3", text: "1")
                let runs = try await Self.runs(admin, job: job)
                #expect(runs.count == 1, "\(runs)")
                #expect(runs.first?["started_by"].string == "trigger:job_done")
                #expect(try await eventually {
                    await log.requests.contains { $0.body.contains("please+send+1+to+5+photos") || $0.body.contains("please%20send") }
                })
            }
        }
    }
}
