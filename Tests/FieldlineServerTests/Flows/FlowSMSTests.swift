import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineChannels
@testable import FieldlineServer

@Suite("Flows: the proof flow on SMS, through signed Twilio webhooks")
struct FlowSMSTests {
    static let phone = "+34600111222"

    /// Posts a signed Twilio webhook from the crew's phone with `fields` besides the sender's.
    static func post(_ client: any TestClientProtocol, _ hook: String, sid: String, _ extra: [FormField]) async throws {
        let fields = [FormField("MessageSid", sid), FormField("From", phone), FormField("To", "+34900000000")] + extra
        let signature = TwilioSignature.sign(url: "http://localhost:8080" + hook, parameters: fields, authToken: ProviderTestSupport.twilioToken)
        let response = try await client.execute(
            uri: hook, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name(TwilioSignature.headerName)!: signature],
            body: ByteBuffer(bytes: FormEncoding.encode(fields))) { $0 }
        #expect(response.status == .ok, "\(response.text)")
    }

    static func text(_ client: any TestClientProtocol, _ hook: String, sid: String, _ body: String) async throws {
        try await post(client, hook, sid: sid, [FormField("Body", body), FormField("NumMedia", "0")])
    }

    /// The `Body` of each SMS sent through the fake Twilio, in order.
    static func sentBodies(_ log: FakeProviderLog) async -> [String] {
        await log.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/Messages.json") }.compactMap { request in
            FormEncoding.decode(Array(request.body.utf8)).first { $0.name == "Body" }?.value
        }
    }

    /// Waits until every message the bot queued went out: a numbered answer answers what the
    /// member was sent, as on a real phone.
    static func sent(_ admin: APICaller) async throws {
        #expect(try await eventually {
            let conversation = try await admin.get("/v1/conversations").json["data"][0]["id"].string ?? ""
            return try await admin.get("/v1/conversations/\(conversation)/messages?limit=200").json["data"].array
                .filter { $0["direction"].string == "outbound" }.allSatisfy { $0["delivery_status"].string == "sent" }
        })
    }

    @Test("\"done\" starts the proof flow; an MMS photo, \"1\" for Done, a location, \"1\" for Yes: a proof on the job, every choice numbered")
    func proofOnSMS() async throws {
        let jpeg = MediaSamples.jpeg(seed: 7)
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            let mediaPath = "/2010-04-01/Accounts/AC123/Messages/MM1/Media/ME1"
            await log.serve(mediaPath, FakeResponse(contentType: "image/jpeg", body: jpeg, requiredAuthorization: "Basic " + Data("AC123:\(ProviderTestSupport.twilioToken)".utf8).base64EncodedString()))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await ProviderTestSupport.adapter(admin, "sms")
                let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Sur"}"#).json["id"].string)
                let member = try #require(try await admin.post("/v1/members", #"""
                    {"organization_id":"\#(org)","name":"Ana","identities":[{"kind":"sms","external_id":"\#(Self.phone)"}]}
                    """#).json["id"].string)
                let crew = try #require(try await admin.post(
                    "/v1/crews", #"{"organization_id":"\#(org)","name":"Sur 1","crew_code":"GS-01","member_ids":["\#(member)"]}"#).json["id"].string)
                let job = try #require(try await admin.post("/v1/jobs", #"""
                    {"order_number":"PO-1001","title":"Install","status":"assigned","organization_id":"\#(org)","crew_id":"\#(crew)"}
                    """#).json["id"].string)

                try await Self.text(client, hook, sid: "SM1", "done")
                #expect(try await FlowRunTests.said(admin) == ["Job PO-1001: please send 1 to 5 photos of the finished work."])
                try await Self.post(client, hook, sid: "MM1", [
                    FormField("Body", ""), FormField("NumMedia", "1"),
                    FormField("MediaUrl0", baseURL + mediaPath), FormField("MediaContentType0", "image/jpeg"),
                ])
                #expect(try await FlowRunTests.said(admin).last == "Received 1 photo. Send more (up to 5) or reply Done.")
                // "1" is the acknowledgement's only choice, Done, as SMS numbers it.
                try await Self.sent(admin)
                try await Self.text(client, hook, sid: "SM2", "1")
                #expect(try await FlowRunTests.said(admin).last == "Thanks. Now share your location, so the proof shows where the work was done.")
                try await Self.post(client, hook, sid: "SM3", [FormField("Body", ""), FormField("NumMedia", "0"),
                                                               FormField("Latitude", "40.4168"), FormField("Longitude", "-3.7038")])
                #expect(try await FlowRunTests.said(admin).last == "Send 1 photo(s) and your location as the proof of job PO-1001?")
                // A number that is no choice is re-prompted with the numbered choices, then "1" is Yes.
                try await Self.sent(admin)
                try await Self.text(client, hook, sid: "SM4", "7")
                #expect(try await FlowRunTests.said(admin).last?.hasPrefix("Please pick one of the options: reply with a number from 1 to 2") == true)
                try await Self.sent(admin)
                try await Self.text(client, hook, sid: "SM5", "1")
                #expect(try await FlowRunTests.said(admin).last == "Received 1 photo(s) for job PO-1001 (crew GS-01). Thank you!")

                let proofs = try await admin.get("/v1/proofs?job_id=\(job)").json["data"].array
                #expect(proofs.count == 1)
                #expect(proofs.first?["crew_code"].string == "GS-01")
                #expect(proofs.first?["latitude"].double == 40.4168)
                #expect(proofs.first?["longitude"].double == -3.7038)
                #expect(proofs.first?["media"].array.count == 1, "\(proofs)")
                let run = try await admin.get("/v1/flow-runs?job_id=\(job)").json["data"][0]
                #expect(run["status"].string == "completed")

                // What went over SMS: the choices as numbered text, each message once.
                #expect(try await eventually { await Self.sentBodies(log).count == 6 })
                let bodies = await Self.sentBodies(log)
                #expect(bodies.contains("Received 1 photo. Send more (up to 5) or reply Done.\n\n1) Done"), "\(bodies)")
                #expect(bodies.contains("Send 1 photo(s) and your location as the proof of job PO-1001?\n\n1) Yes, send\n2) Start again"), "\(bodies)")
                #expect(bodies.count == 6 && bodies.last == "Received 1 photo(s) for job PO-1001 (crew GS-01). Thank you!", "\(bodies)")
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
