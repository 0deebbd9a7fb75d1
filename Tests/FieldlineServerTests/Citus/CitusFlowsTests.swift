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
            await FlowRunTests.servePhoto(jpeg, log, baseURL: baseURL)
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

                try await FlowRunTests.proofFlowScenario(
                    client, fixtures, admin, fixture.tenant.id, hook, job: job, jpeg: jpeg, log: log, before: ["Job PO-1001 is yours"])
                let runs = try await admin.get("/v1/flow-runs").json["data"].array
                #expect(runs.count == 2, "\(runs)")
                #expect(runs.allSatisfy { $0["status"].string == "completed" }, "\(runs)")
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
