import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Bot flows on the cluster, through the provider's signed webhooks (the scenario of
/// `FlowRunTests` on a single PostgreSQL).
extension CitusTests {
    @Test("flows on the cluster: a job_status flow greets the crew of a job assigned to it (queued by the code, not a trigger); \"Done\" runs the shipped proof flow, whose photo, location and Yes make a proof")
    func flowsProof() async throws {
        let jpeg = MediaSamples.jpeg(seed: 4)
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await log.serve("/v23.0/777", .json(#"{"url":"\#(baseURL)/whatsapp/download/777","id":"777"}"#, authorization: "Bearer wa-token"))
            await log.serve("/whatsapp/download/777", FakeResponse(body: jpeg, requiredAuthorization: "Bearer wa-token"))
            try await Self.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let fixture = try await Self.tenant(fixtures)
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let greeting = #"{"format":1,"start":"a","steps":[{"id":"a","type":"end","text":"Job {{order_number}} is yours"}]}"#
                let flow = try await admin.post(
                    "/v1/flows", #"{"name":"Greet","triggers":[{"type":"job_status","status":"assigned"}],"definition":\#(greeting)}"#)
                #expect(flow.status == .created, "\(flow.text)")
                // Created assigned to the crew: the flow's outbox row is queued in the job's transaction.
                let (_, job) = try await FlowRunTests.network(admin)
                #expect(try await eventually { try await admin.get("/v1/conversations").json["data"].array.count == 1 })
                #expect(try await eventually { try await FlowRunTests.said(admin) == ["Job PO-1001 is yours"] })

                func post(_ body: String) async throws {
                    #expect(try await WebhookTests.postSigned(client, hook, body).status == .ok)
                }
                try await post(WebhookTests.whatsAppText(id: "wamid.CF1", from: FlowRunTests.digits, text: "Done!"))
                #expect(try await FlowRunTests.said(admin).last == "Job PO-1001: please send 1 to 5 photos of the finished work.")
                try await post(WebhookTests.whatsAppText(id: "wamid.CF2", from: FlowRunTests.digits, text: "it is finished"))
                let reprompt = try await FlowRunTests.said(admin)
                #expect(reprompt.last?.hasPrefix("Please send a photo") == true, "\(reprompt)")
                try await post(MediaSamples.whatsAppImage(messageID: "wamid.CF3", mediaID: "777", sha256: MediaSamples.sha256Base64(jpeg)))
                try await post(WebhookTests.whatsAppText(id: "wamid.CF4", from: FlowRunTests.digits, text: "Done"))
                try await post(FlowRunTests.location(id: "wamid.CF5"))
                #expect(try await BroadcastTestSupport.whatsAppButton(client, hook, from: FlowRunTests.digits, id: "wamid.CF6", choiceID: "yes").status == .ok)
                let said = try await FlowRunTests.said(admin)
                #expect(said.count == 7, "\(said)")
                #expect(said.contains("Thanks. Now share your location, so the proof shows where the work was done."), "\(said)")
                #expect(said.last == "Received 1 photo(s) for job PO-1001 (crew GS-01). Thank you!", "\(said)")

                let proofs = try await admin.get("/v1/proofs?job_id=\(job)").json["data"].array
                #expect(proofs.count == 1)
                #expect(proofs.first?["crew_code"].string == "GS-01")
                #expect(proofs.first?["latitude"].double == 40.4168)
                #expect(proofs.first?["media"].array.count == 1, "\(proofs)")
                #expect(proofs.first?["submitted_by"].string?.hasPrefix("flow_run:") == true)
                let runs = try await admin.get("/v1/flow-runs").json["data"].array
                #expect(runs.count == 2, "\(runs)")
                #expect(runs.allSatisfy { $0["status"].string == "completed" }, "\(runs)")
                #expect(try await eventually { await log.requests.filter { $0.path.hasSuffix("/messages") }.count == 7 })
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a flow's http step on the cluster: the outbox job reads the run, calls the fake ERP outside any transaction and resumes the run with its answer")
    func flowsHTTPStep() async throws {
        try await FakeProvider.run { baseURL, log in
            try await Self.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                try await FlowHTTPStepTests.developmentModeScenario(client, fixtures, try await Self.tenant(fixtures), baseURL: baseURL, log: log)
            }
        }
    }
}
