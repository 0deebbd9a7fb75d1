import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineChannels
@testable import FieldlineServer

@Suite("Flows: a rejected proof restarts the crew's photo step, through signed Twilio webhooks")
struct FlowProofRejectionTests {
    static let twilioAuth = "Basic " + Data("AC123:\(ProviderTestSupport.twilioToken)".utf8).base64EncodedString()

    /// The crew sends the MMS photo at `mediaPath` (as `sid`), taps Done, shares the location and says Yes.
    static func sendProof(_ client: any TestClientProtocol, _ admin: APICaller, _ hook: String, baseURL: String, mediaPath: String, sid: String) async throws {
        try await FlowSMSTests.post(client, hook, sid: sid, [
            FormField("Body", ""), FormField("NumMedia", "1"),
            FormField("MediaUrl0", baseURL + mediaPath), FormField("MediaContentType0", "image/jpeg"),
        ])
        #expect(try await FlowRunTests.said(admin).last == "Received 1 photo. Send more (up to 5) or reply Done.")
        try await FlowSMSTests.sent(admin)
        try await FlowSMSTests.text(client, hook, sid: sid + "-done", "1")
        try await FlowSMSTests.post(client, hook, sid: sid + "-place", [FormField("Body", ""), FormField("NumMedia", "0"),
                                                                        FormField("Latitude", "40.4168"), FormField("Longitude", "-3.7038")])
        #expect(try await FlowRunTests.said(admin).last == "Send 1 photo(s) and your location as the proof of job PO-1001?")
        try await FlowSMSTests.sent(admin)
        try await FlowSMSTests.text(client, hook, sid: sid + "-yes", "1")
        #expect(try await FlowRunTests.said(admin).last == "Received 1 photo(s) for job PO-1001 (crew GS-01). Thank you!")
    }

    @Test("the shipped proof flow ends; a rejection reopens its run at the photo step: the crew is told why, asked again, and their next photo is a new proof of the job")
    func rejectionRestartsEndedRun() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await Self.servePhotos(log)
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                try await Self.endedRunScenario(client, try await fixtures.tenant(), baseURL: baseURL, log: log)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Where `servePhotos` serves the crew's two MMS photos on the fake provider.
    static let photoPaths = ("/2010-04-01/Accounts/AC123/Messages/MM1/Media/ME1", "/2010-04-01/Accounts/AC123/Messages/MM2/Media/ME2")

    /// Serves two different JPEGs at `photoPaths`, behind Twilio's credentials.
    static func servePhotos(_ log: FakeProviderLog) async {
        await log.serve(photoPaths.0, FakeResponse(contentType: "image/jpeg", body: MediaSamples.jpeg(seed: 11), requiredAuthorization: twilioAuth))
        await log.serve(photoPaths.1, FakeResponse(contentType: "image/jpeg", body: MediaSamples.jpeg(seed: 12), requiredAuthorization: twilioAuth))
    }

    /// The crew of an assigned job sends a proof through the shipped proof flow over SMS; the
    /// admin rejects it: the crew is told why, the ended run is reopened at its photo step (the
    /// review's `flow_restart`, the `proof.reviewed` event, the run's history and the case
    /// timeline say so), and the crew's next photo is a new proof of the job. On the app of a
    /// single PostgreSQL (`TestApp.run`) or of the Citus cluster (`CitusTests.run`), talking to the
    /// fake provider at `baseURL` that serves `servePhotos`.
    static func endedRunScenario(_ client: any TestClientProtocol, _ fixture: TenantFixture, baseURL: String, log: FakeProviderLog) async throws {
        let (path1, path2) = photoPaths
        let admin = APICaller(client, fixture)
        let reviewer = "user:\(fixture.userID.uuidString.lowercased())"
        let hook = try await ProviderTestSupport.adapter(admin, "sms")
        let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Sur"}"#).json["id"].string)
        let member = try #require(try await admin.post("/v1/members", #"""
            {"organization_id":"\#(org)","name":"Ana","identities":[{"kind":"sms","external_id":"\#(FlowSMSTests.phone)"}]}
            """#).json["id"].string)
        let crew = try #require(try await admin.post(
            "/v1/crews", #"{"organization_id":"\#(org)","name":"Sur 1","crew_code":"GS-01","member_ids":["\#(member)"]}"#).json["id"].string)
        let job = try #require(try await admin.post("/v1/jobs", #"""
            {"order_number":"PO-1001","title":"Install","status":"assigned","organization_id":"\#(org)","crew_id":"\#(crew)"}
            """#).json["id"].string)

        try await FlowSMSTests.text(client, hook, sid: "SM1", "done")
        try await Self.sendProof(client, admin, hook, baseURL: baseURL, mediaPath: path1, sid: "MM1")
        let rejected = try #require(try await admin.get("/v1/proofs?job_id=\(job)").json["data"].array.first)
        let rejectedID = try #require(rejected["id"].string)
        let run = try #require(rejected["submitted_by"].string?.dropFirst("flow_run:".count)).description
        #expect(try await admin.get("/v1/flow-runs/\(run)").json["status"].string == "completed")

        // The review: the crew is told why, and the run asks for the photos again.
        try await FlowSMSTests.sent(admin)
        let review = try await admin.post("/v1/proofs/\(rejectedID)/review", #"{"decision":"rejected","reason":"Plate not visible"}"#)
        #expect(review.status == .ok, "\(review.text)")
        #expect(review.json["review_state"].string == "rejected")
        #expect(review.json["flow_restart"]["flow_run_id"].string == run, "\(review.json)")
        #expect(review.json["flow_restart"]["step_id"].string == "photos")
        #expect(review.json["flow_restart"]["status"].string == "waiting")
        // The ERP's event says so too.
        let reviewedEvents = try await EventsTests.all(admin, count: 1, types: "proof.reviewed", limit: 50)
        #expect(reviewedEvents.last?["data"]["flow_restart"]["flow_run_id"].string == run, "\(reviewedEvents)")
        #expect(reviewedEvents.last?["data"]["flow_restart"]["step_id"].string == "photos")
        #expect(Array(try await FlowRunTests.said(admin).suffix(2)) == [
            "The proof for order PO-1001 was not accepted: Plate not visible. Please send new photos.",
            "Job PO-1001: please send 1 to 5 photos of the finished work.",
        ])
        let reopened = try await admin.get("/v1/flow-runs/\(run)").json
        #expect(reopened["status"].string == "waiting" && reopened["step_id"].string == "photos")
        #expect(reopened["ended_at"].isNull)
        #expect(reopened["variables"]["photos"] == .array([]), "the rejected photo is not collected again")
        let restart = try #require(reopened["history"].array.last)
        #expect(restart["event"].string == "restart" && restart["actor"].string == reviewer && restart["proof_id"].string == rejectedID)
        let conversation = try #require(try await admin.get("/v1/conversations/\(rejected["conversation_id"].string ?? "")").json["flow_run"]["id"].string)
        #expect(conversation == run)

        // Her next photo goes through the same steps and is a new proof of the same job.
        try await FlowSMSTests.sent(admin)
        try await Self.sendProof(client, admin, hook, baseURL: baseURL, mediaPath: path2, sid: "MM2")
        let proofs = try await admin.get("/v1/proofs?job_id=\(job)").json["data"].array
        #expect(proofs.count == 2)
        let resent = try #require(proofs.first { $0["id"].string != rejectedID })
        #expect(resent["review_state"].string == "submitted")
        #expect(resent["submitted_by"].string == "flow_run:\(run)")
        #expect(resent["media"].array.count == 1 && resent["media"][0]["id"].string != rejected["media"][0]["id"].string)
        #expect(try await admin.get("/v1/flow-runs/\(run)").json["status"].string == "completed")

        // The case timeline: the review, then the restart, with who did it.
        let timeline = try await admin.get("/v1/jobs/\(job)/timeline").json["data"].array
        let types = timeline.compactMap(\.["type"].string)
        let restarted = try #require(timeline.first { $0["type"].string == "flow_run.restarted" }, "\(types)")
        #expect(restarted["flow_run_id"].string == run && restarted["step_id"].string == "photos")
        #expect(restarted["proof_id"].string == rejectedID && restarted["actor"].string == reviewer)
        #expect(restarted["flow_run_status"].string == "waiting" && restarted["member_id"].string == member)
        let reviewedAt = try #require(types.firstIndex(of: "proof.reviewed"))
        #expect(reviewedAt < (types.firstIndex(of: "flow_run.restarted") ?? -1))
        let rejectionMessage = try #require(timeline.firstIndex { ($0["text"].string ?? "").hasPrefix("The proof for order PO-1001 was not accepted") })
        #expect(reviewedAt < rejectionMessage, "the review before the message it sent: \(types)")
        #expect(types.filter { $0 == "proof.submitted" }.count == 2)

        // What went over SMS, once each: the rejection, then the question again.
        #expect(try await eventually { await FlowSMSTests.sentBodies(log).count == 11 })
        let bodies = await FlowSMSTests.sentBodies(log)
        let told = try #require(bodies.firstIndex(of: "The proof for order PO-1001 was not accepted: Plate not visible. Please send new photos."), "\(bodies)")
        #expect(bodies[told + 1] == "Job PO-1001: please send 1 to 5 photos of the finished work.", "\(bodies)")
        #expect(bodies.count == 11, "\(bodies)")
    }

    @Test("a run under way about the job is the one restarted; paused by an agent's reply, it moves to the photo step quietly and asks once resumed")
    func rejectionMovesPausedRun() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await Self.servePhotos(log)
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                try await Self.pausedRunScenario(client, try await fixtures.tenant(), baseURL: baseURL)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// After a proof through the proof flow, the crew starts it again and an agent's reply pauses
    /// that run; rejecting the proof tells the crew why and moves the paused run to its photo step
    /// without asking yet, the proof's own ended run stays over, and resuming the run asks for the
    /// photos. On the app of a single PostgreSQL or of the Citus cluster, with the fake provider
    /// serving `servePhotos`.
    static func pausedRunScenario(_ client: any TestClientProtocol, _ fixture: TenantFixture, baseURL: String) async throws {
        let path = photoPaths.0
        let admin = APICaller(client, fixture)
        let hook = try await ProviderTestSupport.adapter(admin, "sms")
        let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Sur"}"#).json["id"].string)
        let member = try #require(try await admin.post("/v1/members", #"""
            {"organization_id":"\#(org)","name":"Ana","identities":[{"kind":"sms","external_id":"\#(FlowSMSTests.phone)"}]}
            """#).json["id"].string)
        let crew = try #require(try await admin.post(
            "/v1/crews", #"{"organization_id":"\#(org)","name":"Sur 1","crew_code":"GS-01","member_ids":["\#(member)"]}"#).json["id"].string)
        let job = try #require(try await admin.post("/v1/jobs", #"""
            {"order_number":"PO-1001","title":"Install","status":"assigned","organization_id":"\#(org)","crew_id":"\#(crew)"}
            """#).json["id"].string)
        try await FlowSMSTests.text(client, hook, sid: "SM1", "done")
        try await Self.sendProof(client, admin, hook, baseURL: baseURL, mediaPath: path, sid: "MM1")
        let proof = try #require(try await admin.get("/v1/proofs?job_id=\(job)").json["data"][0]["id"].string)
        // Ana starts the flow again (a second run, at its photo step), and an agent's reply pauses it.
        try await FlowSMSTests.sent(admin)
        try await FlowSMSTests.text(client, hook, sid: "SM2", "done")
        let runs = try await admin.get("/v1/flow-runs?job_id=\(job)").json["data"].array
        let second = try #require(runs.first { $0["status"].string == "waiting" }?["id"].string, "\(runs)")
        let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
        #expect(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Hola Ana, te llamo"}"#).status == .created)
        #expect(try await admin.get("/v1/flow-runs/\(second)").json["status"].string == "paused")

        let review = try await admin.post("/v1/proofs/\(proof)/review", #"{"decision":"rejected","reason":"Wrong gate"}"#)
        #expect(review.status == .ok, "\(review.text)")
        #expect(review.json["flow_restart"]["flow_run_id"].string == second, "\(review.json)")
        #expect(review.json["flow_restart"]["status"].string == "paused")
        #expect(try await FlowRunTests.said(admin).last == "The proof for order PO-1001 was not accepted: Wrong gate. Please send new photos.")
        let moved = try await admin.get("/v1/flow-runs/\(second)").json
        #expect(moved["status"].string == "paused" && moved["step_id"].string == "photos")
        #expect(moved["history"].array.last?["event"].string == "restart")
        let first = try #require(runs.first { $0["id"].string != second }?["id"].string)
        #expect(try await admin.get("/v1/flow-runs/\(first)").json["status"].string == "completed", "the proof's own run stays over")

        // The agent resumes it: the run asks for the photos.
        #expect(try await admin.post("/v1/flow-runs/\(second)/resume", "{}").status == .ok)
        #expect(try await FlowRunTests.said(admin).last == "Job PO-1001: please send 1 to 5 photos of the finished work.")
        let timeline = try await admin.get("/v1/jobs/\(job)/timeline").json["data"].array
        let restarted = try #require(timeline.first { $0["type"].string == "flow_run.restarted" })
        #expect(restarted["flow_run_id"].string == second && restarted["flow_run_status"].string == "paused")
    }

    @Test("no restart when the proof came from no flow, the run's flow is turned off, or the job is cancelled; an accepted proof restarts nothing")
    func noRestart() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            let (path1, path2) = ("/2010-04-01/Accounts/AC123/Messages/MM1/Media/ME1", "/2010-04-01/Accounts/AC123/Messages/MM2/Media/ME2")
            await log.serve(path1, FakeResponse(contentType: "image/jpeg", body: MediaSamples.jpeg(seed: 13), requiredAuthorization: Self.twilioAuth))
            await log.serve(path2, FakeResponse(contentType: "image/jpeg", body: MediaSamples.jpeg(seed: 14), requiredAuthorization: Self.twilioAuth))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await ProviderTestSupport.adapter(admin, "sms")
                let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Sur"}"#).json["id"].string)
                let member = try #require(try await admin.post("/v1/members", #"""
                    {"organization_id":"\#(org)","name":"Ana","identities":[{"kind":"sms","external_id":"\#(FlowSMSTests.phone)"}]}
                    """#).json["id"].string)
                let crew = try #require(try await admin.post(
                    "/v1/crews", #"{"organization_id":"\#(org)","name":"Sur 1","crew_code":"GS-01","member_ids":["\#(member)"]}"#).json["id"].string)
                let job = try #require(try await admin.post("/v1/jobs", #"""
                    {"order_number":"PO-1001","title":"Install","status":"assigned","organization_id":"\#(org)","crew_id":"\#(crew)"}
                    """#).json["id"].string)
                // Two runs of the proof flow, one after the other: two proofs of the job.
                try await FlowSMSTests.text(client, hook, sid: "SM1", "done")
                try await Self.sendProof(client, admin, hook, baseURL: baseURL, mediaPath: path1, sid: "MM1")
                try await FlowSMSTests.sent(admin)
                try await FlowSMSTests.text(client, hook, sid: "SM2", "done")
                try await Self.sendProof(client, admin, hook, baseURL: baseURL, mediaPath: path2, sid: "MM2")
                let fromFlows = try await admin.get("/v1/proofs?job_id=\(job)").json["data"].array.compactMap(\.["id"].string)
                #expect(fromFlows.count == 2)
                let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
                let location = try #require(try await admin.get("/v1/conversations/\(conversation)/messages?limit=100").json["data"].array
                    .first { $0["kind"].string == "location" }?["id"].string)
                // An agent links the job to Ana's conversation and records proofs from its messages.
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"conversation_id":"\#(conversation)"}"#).status == .ok)
                func recordByHand() async throws -> String {
                    try #require(try await admin.post("/v1/jobs/\(job)/proofs", #"{"message_ids":["\#(location)"]}"#).json["id"].string)
                }
                func reject(_ proof: String) async throws -> JSON {
                    let answer = try await admin.post("/v1/proofs/\(proof)/review", #"{"decision":"rejected","reason":"Blurry"}"#)
                    #expect(answer.status == .ok, "\(answer.text)")
                    return answer.json
                }
                func runStatuses() async throws -> [String] {
                    try await admin.get("/v1/flow-runs?job_id=\(job)").json["data"].array.compactMap(\.["status"].string)
                }

                // Recorded by an agent from the crew's messages, no run under way: only the message.
                #expect(try await reject(try await recordByHand())["flow_restart"].isNull)
                #expect(try await FlowRunTests.said(admin).last == "The proof for order PO-1001 was not accepted: Blurry. Please send new photos.")
                // Accepted: nothing said, nothing restarted.
                #expect(try await admin.post("/v1/proofs/\(try await recordByHand())/review", #"{"decision":"accepted"}"#).json["flow_restart"].isNull)
                #expect(try await runStatuses() == ["completed", "completed"])

                // The proof flow turned off: its ended run is not reopened.
                let flow = try #require(try await admin.get("/v1/flow-runs?job_id=\(job)").json["data"][0]["flow_id"].string)
                let definition = String(decoding: try JSONEncoder().encode(DefaultFlows.proofOfService), as: UTF8.self)
                func publish(enabled: Bool) async throws {
                    let published = try await admin.post("/v1/flows/\(flow)/versions", #"{"enabled":\#(enabled),"definition":\#(definition)}"#)
                    #expect(published.status.code < 300 && published.json["enabled"].bool == enabled, "\(published.text)")
                }
                try await publish(enabled: false)
                #expect(try await reject(fromFlows[0])["flow_restart"].isNull)
                #expect(try await runStatuses() == ["completed", "completed"])

                // Turned on again, but the job was cancelled: it takes no proof, so nothing asks for one.
                try await publish(enabled: true)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"cancelled"}"#).status == .ok)
                #expect(try await reject(fromFlows[1])["flow_restart"].isNull)
                #expect(try await runStatuses() == ["completed", "completed"])
                #expect(try await FlowRunTests.said(admin).last == "The proof for order PO-1001 was not accepted: Blurry. Please send new photos.")
                _ = log
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
