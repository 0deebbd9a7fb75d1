import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

extension FlowRunTests {
    /// Serves `jpeg` as WhatsApp's media 777, the scenario's photo, behind the bearer token.
    static func servePhoto(_ jpeg: [UInt8], _ log: FakeProviderLog, baseURL: String) async {
        await log.serve("/v23.0/777", .json(#"{"url":"\#(baseURL)/whatsapp/download/777","id":"777"}"#, authorization: "Bearer wa-token"))
        await log.serve("/whatsapp/download/777", FakeResponse(body: jpeg, requiredAuthorization: "Bearer wa-token"))
    }

    /// The shipped proof flow over WhatsApp, shared by `proofOnWhatsApp` and
    /// `CitusTests.flowsProof`: with `network`'s job assigned to the crew and `before` already
    /// said in the member's conversation (by other flows), "Done!" starts the proof flow; a wrong
    /// answer is re-prompted; a photo (its webhook retried: collected and answered once, served
    /// by the fake provider as media 777), "Done", a location and Yes make one proof of the job,
    /// each message sent with its own key and handed to the provider (`log`).
    static func proofFlowScenario(
        _ client: any TestClientProtocol, _ fixtures: Fixtures, _ admin: APICaller, _ tenant: UUID, _ hook: String,
        job: String, jpeg: [UInt8], log: FakeProviderLog, before: [String] = []
    ) async throws {
        func post(_ body: String) async throws {
            #expect(try await WebhookTests.postSigned(client, hook, body).status == .ok)
        }
        try await post(WebhookTests.whatsAppText(id: "wamid.F1", from: Self.digits, text: "Done!"))
        #expect(try await Self.said(admin) == before + ["Job PO-1001: please send 1 to 5 photos of the finished work."])
        try await post(WebhookTests.whatsAppText(id: "wamid.F2", from: Self.digits, text: "it is finished"))
        let reprompt = try await Self.said(admin)
        #expect(reprompt.last?.hasPrefix("Please send a photo") == true, "\(reprompt)")
        try await post(MediaSamples.whatsAppImage(messageID: "wamid.F3", mediaID: "777", sha256: MediaSamples.sha256Base64(jpeg))
            .replacingOccurrences(of: "16505551234", with: Self.digits))
        // A retried webhook is the same message: collected once, answered once.
        try await post(MediaSamples.whatsAppImage(messageID: "wamid.F3", mediaID: "777", sha256: MediaSamples.sha256Base64(jpeg)))
        try await post(WebhookTests.whatsAppText(id: "wamid.F4", from: Self.digits, text: "Done"))
        try await post(Self.location(id: "wamid.F5"))
        #expect(try await BroadcastTestSupport.whatsAppButton(client, hook, from: Self.digits, id: "wamid.F6", choiceID: "yes").status == .ok)
        let said = try await Self.said(admin)
        #expect(said.count == before.count + 6, "\(said)")
        #expect(said.filter { $0.hasPrefix("Received 1 photo") }.count == 2, "\(said)")
        #expect(said.contains("Thanks. Now share your location, so the proof shows where the work was done."), "\(said)")
        #expect(said.contains("Send 1 photo(s) and your location as the proof of job PO-1001?"), "\(said)")
        #expect(said.last == "Received 1 photo(s) for job PO-1001 (crew GS-01). Thank you!", "\(said)")

        let proofs = try await admin.get("/v1/proofs?job_id=\(job)").json["data"].array
        #expect(proofs.count == 1)
        #expect(proofs.first?["crew_code"].string == "GS-01")
        #expect(proofs.first?["latitude"].double == 40.4168)
        #expect(proofs.first?["media"].array.count == 1, "\(proofs)")
        #expect(proofs.first?["submitted_by"].string?.hasPrefix("flow_run:") == true)
        // Every message a run sent has its own key, and each was handed to the provider.
        let keys = try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query("SELECT count(*)::int FROM flow_run_sends WHERE tenant_id = \(tenant)", logger: fixtures.database.logger)
                .first { try $0.decode(Int.self) } ?? 0
        }
        #expect(keys == before.count + 6)
        #expect(try await eventually { await log.requests.filter { $0.path.hasSuffix("/messages") }.count == before.count + 6 })
    }
}
