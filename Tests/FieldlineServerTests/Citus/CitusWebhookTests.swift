import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Webhook delivery on the cluster: the events' fan-out (`CitusWrites.fanOut`), the deliverer's
/// lease, success and failure updates on the shard.
extension CitusTests {
    @Test("webhooks on the cluster: a job's events reach the receiver signed and verified, in order; a failing receiver is retried until it acknowledges; 410 disables its endpoint")
    func webhookDelivery() async throws {
        try await WebhookReceiver.run { receiver in
            try await Self.run(configure: WebhookDeliveryTests.configure) { client, fixtures in
                let fixture = try await Self.tenant(fixtures)
                let admin = APICaller(client, fixture)
                try await WebhookDeliveryTests.developmentMode(fixtures, fixture.tenant.id)
                let network = try await JobNetwork.make(admin)
                let ok = try await WebhookDeliveryTests.endpoint(admin, receiver.url("/ok"))
                let flaky = try await WebhookDeliveryTests.endpoint(admin, receiver.url("/flaky"))
                let gone = try await WebhookDeliveryTests.endpoint(admin, receiver.url("/gone"))
                try await receiver.secrets(["/ok": ok.secret, "/flaky": flaky.secret, "/gone": gone.secret])

                let job = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-W1","title":"Tow"}"#).json["id"].string)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"assigned","organization_id":"\#(network.organization)"}"#).status == .ok)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"in_progress"}"#).status == .ok)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"completed"}"#).status == .ok)

                let log = try await receiver.log { entries in
                    entries.filter { $0.path == "/ok" }.count >= 4 && entries.filter { $0.path == "/flaky" && $0.answered == 200 }.count >= 4
                }
                let delivered = log.filter { $0.path == "/ok" }
                #expect(delivered.map(\.body.type) == ["job.created", "job.assigned", "job.started", "job.completed"])
                #expect(log.allSatisfy { $0.verified }, "\(log.compactMap(\.error))")
                // The failing receiver got each event again until it said 200 (three 500s each), in the same order.
                let flakyLog = log.filter { $0.path == "/flaky" }
                #expect(flakyLog.filter { $0.answered == 200 }.map(\.body.type) == ["job.created", "job.assigned", "job.started", "job.completed"])
                #expect(flakyLog.count == 16, "\(flakyLog.map { "\($0.body.type) \($0.answered)" })")
                let deliveries = try await admin.get("/v1/webhook-endpoints/\(flaky.id)/deliveries").json["data"].array
                #expect(deliveries.map { $0["status"].string } == Array(repeating: "succeeded", count: 4))
                #expect(deliveries.first?["attempts"].array.map { $0["status_code"].int } == [500, 500, 500, 200])
                #expect(try await admin.get("/v1/webhook-endpoints/\(flaky.id)").json["failing_since"].isNull)
                // 410 Gone: the endpoint is disabled, with its reason.
                #expect(try await eventually {
                    try await admin.get("/v1/webhook-endpoints/\(gone.id)").json["enabled"].bool == false
                })
                let disabled = try await admin.get("/v1/webhook-endpoints/\(gone.id)").json
                #expect(disabled["disabled_reason"].string == "the endpoint answered 410 Gone", "\(disabled)")
                #expect(disabled["disabled_at"].string != nil, "\(disabled)")
            }
        }
    }
}
