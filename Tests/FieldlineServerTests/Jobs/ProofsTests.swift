import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

@Suite("Proofs of service")
struct ProofsTests {
    static let botCredentials = #"{"bot_token":"123:ABC","secret_token":"tg_secret-1"}"#

    /// Posts one Telegram update from the crew's chat through the bot's webhook.
    static func telegram(_ client: any TestClientProtocol, _ url: String, _ updateID: Int, _ message: String) async throws {
        let update = #"{"update_id":\#(updateID),"message":{"message_id":\#(updateID),"date":1700000000,"chat":{"id":1111111,"type":"private","first_name":"Ana"},\#(message)}}"#
        let response = try await client.execute(uri: url, method: .post,
            headers: [.contentType: "application/json", .telegramSecretToken: "tg_secret-1"], body: ByteBuffer(string: update)) { $0 }
        #expect(response.status == .ok)
    }

    @Test("a proof from the crew's photo and location messages, pulled by an ERP, reviewed once, and shown in the member's timeline to the next agent")
    func fromMessagesToTimeline() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await log.serve("/bot123:ABC/getFile", .json(#"{"ok":true,"result":{"file_id":"large","file_unique_id":"b","file_size":\#(MediaSamples.png.count),"file_path":"photos/file_7.jpg"}}"#))
            await log.serve("/file/bot123:ABC/photos/file_7.jpg", FakeResponse(body: MediaSamples.png))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let network = try await JobNetwork.make(admin)
                let bot = try await WebhookTests.createAdapter(admin, provider: "telegram", credentials: Self.botCredentials)
                try await Self.telegram(client, bot.url, 1, #""text":"Llegamos""#)
                try await Self.telegram(client, bot.url, 2, #""caption":"Done","photo":[{"file_id":"large","file_unique_id":"b","width":1280,"height":960}]"#)
                try await Self.telegram(client, bot.url, 3, #""location":{"latitude":40.42,"longitude":-3.71}"#)
                let conversation = try await admin.get("/v1/conversations").json["data"][0]
                let conversationID = try #require(conversation["id"].string)
                let memberID = try #require(conversation["member_id"].string)
                let messages = try await admin.get("/v1/conversations/\(conversationID)/messages").json["data"].array
                let (location, photo, text) = (try #require(messages[0]["id"].string), try #require(messages[1]["id"].string), try #require(messages[2]["id"].string))
                let mediaID = try #require(messages[1]["media"]["id"].string)
                #expect(try await MediaSamples.settled(admin, mediaID)["status"].string == "fetched")
                let reply = try #require(try await admin.post("/v1/conversations/\(conversationID)/messages", #"{"text":"Gracias"}"#).json["id"].string)

                let job = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-77","title":"Tow","conversation_id":"\#(conversationID)"}"#).json["id"].string)
                let early = try await admin.post("/v1/jobs/\(job)/proofs", #"{"message_ids":["\#(photo)"]}"#)
                #expect(early.status == .conflict)
                #expect(early.json["error"]["code"].string == "job_not_assigned")
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"assigned","organization_id":"\#(network.organization)","crew_id":"\#(network.crew)"}"#).status == .ok)

                // Only what the member sent, and only photos, files and locations, are evidence.
                for (ids, code) in [([text], "not_evidence"), ([reply], "not_evidence"), ([UUID().uuidString], "unknown_reference"), ([String](), "missing_field")] {
                    let body = #"{"message_ids":[\#(ids.map { "\"\($0)\"" }.joined(separator: ","))]}"#
                    let refused = try await admin.post("/v1/jobs/\(job)/proofs", body)
                    #expect(refused.status == .unprocessableContent, "\(ids)")
                    #expect(refused.json["error"]["code"].string == code, "\(ids)")
                }
                #expect(try await admin.post("/v1/jobs/\(job)/proofs", #"{"media_ids":["\#(UUID())"]}"#).json["error"]["field"].string == "media_ids")

                let recorded = try await admin.post(
                    "/v1/jobs/\(job)/proofs", #"{"message_ids":["\#(photo)","\#(location)"],"media_ids":["\#(mediaID)"],"note":"Van on the truck"}"#,
                    headers: [.idempotencyKey: "proof-1"])
                #expect(recorded.status == .created)
                let proof = recorded.json
                let proofID = try #require(proof["id"].string)
                #expect(recorded.headers[.location] == "/v1/proofs/\(proofID)")
                #expect(proof["job_id"].string == job)
                #expect(proof["order_number"].string == "PO-77")
                #expect(proof["crew_code"].string == "GN-7")
                #expect(proof["conversation_id"].string == conversationID)
                #expect(proof["member_id"].string == memberID)
                #expect(proof["latitude"].double == 40.42)
                #expect(proof["longitude"].double == -3.71)
                #expect(proof["review_state"].string == "submitted")
                #expect(proof["media"].array.count == 1)
                #expect(proof["media"][0]["id"].string == mediaID)
                #expect(proof["media"][0]["message_id"].string == photo)
                #expect(proof["media"][0]["sha256"].string == MediaSamples.sha256Hex(MediaSamples.png))
                #expect(proof["media"][0]["content_type"].string == "image/png")
                #expect(proof["media"][0]["size"].int == MediaSamples.png.count)
                let replay = try await admin.post(
                    "/v1/jobs/\(job)/proofs", #"{"message_ids":["\#(photo)","\#(location)"],"media_ids":["\#(mediaID)"],"note":"Van on the truck"}"#,
                    headers: [.idempotencyKey: "proof-1"])
                #expect(replay.json["id"].string == proofID)
                // A crew code names a crew of the job's subcontractor, not another one's.
                let wrongCrew = try await admin.post("/v1/jobs/\(job)/proofs", #"{"media_ids":["\#(mediaID)"],"crew_code":"gs-1"}"#)
                #expect(wrongCrew.status == .unprocessableContent)
                #expect(wrongCrew.json["error"]["code"].string == "unknown_crew")
                #expect(wrongCrew.json["error"]["field"].string == "crew_code")
                // A second proof with another of its crews' codes, from the media id alone.
                #expect(try await admin.post("/v1/crews", #"{"organization_id":"\#(network.organization)","name":"Day","crew_code":"GN-8"}"#).status == .created)
                let other = try await admin.post("/v1/jobs/\(job)/proofs", #"{"media_ids":["\#(mediaID)"],"crew_code":"gn-8"}"#)
                #expect(other.json["crew_code"].string == "GN-8")
                #expect(other.json["conversation_id"].string == conversationID)
                #expect(other.json["latitude"].isNull)
                let otherID = try #require(other.json["id"].string)

                // What an ERP pulls, with a key that holds proofs:read.
                let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["proofs:read"]}"#).json["key"].string)
                let erp = APICaller(client, token: erpKey)
                #expect(try await erp.get("/v1/proofs?order_number=PO-77").json["data"].array.map { $0["id"].string } == [otherID, proofID])
                #expect(try await erp.get("/v1/proofs?crew_code=gn-7").json["data"].array.map { $0["id"].string } == [proofID])
                #expect(try await erp.get("/v1/proofs?order_number=PO-78").json["data"].array.isEmpty)
                #expect(try await erp.get("/v1/proofs?job_id=\(job)&limit=1").json["next_cursor"].string != nil)
                #expect(try await erp.get("/v1/proofs/\(proofID)").json["media"][0]["sha256"].string == MediaSamples.sha256Hex(MediaSamples.png))
                #expect(try await erp.get("/v1/proofs?review_state=maybe").status == .badRequest)
                #expect(try await erp.post("/v1/proofs/\(proofID)/review", #"{"decision":"accepted"}"#).status == .forbidden)
                let noScope = try #require(try await admin.post("/v1/api-keys", #"{"name":"Chat","scopes":["conversations:read"]}"#).json["key"].string)
                let refused = try await APICaller(client, token: noScope).get("/v1/proofs")
                #expect(refused.status == .forbidden)
                #expect(refused.json["error"]["message"].string == "this requires the 'proofs:read' permission")
                #expect(try await APICaller(client, token: noScope).get("/v1/proofs/\(proofID)").status == .forbidden)

                // Review: rejecting needs a reason; a review is final.
                let since = RFC3339.format(Date())
                let noReason = try await admin.post("/v1/proofs/\(otherID)/review", #"{"decision":"rejected"}"#)
                #expect(noReason.status == .unprocessableContent)
                #expect(noReason.json["error"]["field"].string == "reason")
                #expect(try await admin.post("/v1/proofs/\(otherID)/review", #"{"decision":"maybe"}"#).json["error"]["field"].string == "decision")
                let rejected = try await admin.post("/v1/proofs/\(otherID)/review", #"{"decision":"rejected","reason":"Wrong crew"}"#)
                #expect(rejected.status == .ok)
                #expect(rejected.json["review_state"].string == "rejected")
                #expect(rejected.json["review_reason"].string == "Wrong crew")
                // The crew is told in the conversation the evidence came from, so they can send it again.
                let told = try await admin.get("/v1/conversations/\(conversationID)/messages").json["data"][0]
                #expect(told["text"].string == "The proof for order PO-77 was not accepted: Wrong crew. Please send new photos.")
                #expect(told["direction"].string == "outbound")
                let accepted = try await admin.post("/v1/proofs/\(proofID)/review", #"{"decision":"accepted"}"#)
                #expect(accepted.json["review_state"].string == "accepted")
                #expect(accepted.json["reviewed_by"].string == "user:\(fixture.userID.uuidString.lowercased())")
                #expect(accepted.json["reviewed_at"].string != nil)
                let again = try await admin.post("/v1/proofs/\(proofID)/review", #"{"decision":"rejected","reason":"Changed my mind"}"#)
                #expect(again.status == .conflict)
                #expect(again.json["error"]["code"].string == "already_reviewed")
                #expect(try await erp.get("/v1/proofs/\(proofID)").json["review_state"].string == "accepted")
                #expect(try await erp.get("/v1/proofs?review_state=accepted").json["data"].array.map { $0["id"].string } == [proofID])
                #expect(try await erp.get("/v1/proofs?updated_since=\(since)").json["data"].array.map { $0["id"].string } == [otherID, proofID])

                // Closed: the next agent sees the job and its proofs with the archived conversation.
                #expect(try await admin.post("/v1/conversations/\(conversationID)/close", "{}").status == .ok)
                let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
                let timeline = try await agent.get("/v1/members/\(memberID)/timeline")
                #expect(timeline.status == .ok)
                let archived = timeline.json["data"][0]
                #expect(archived["conversation"]["id"].string == conversationID)
                #expect(archived["jobs"].array.map { $0["id"].string } == [job])
                #expect(archived["jobs"][0]["order_number"].string == "PO-77")
                #expect(archived["jobs"][0]["title"].string == "Tow")
                #expect(archived["jobs"][0]["status"].string == "assigned")
                #expect(archived["proofs"].array.map { $0["id"].string } == [proofID, otherID])
                #expect(archived["proofs"][0]["job_id"].string == job)
                #expect(archived["proofs"][0]["order_number"].string == "PO-77")
                #expect(archived["proofs"][0]["crew_code"].string == "GN-7")
                #expect(archived["proofs"][0]["review_state"].string == "accepted")
                #expect(archived["proofs"][0]["media_count"].int == 1)
                #expect(archived["proofs"][0]["submitted_at"].string == proof["submitted_at"].string)
                #expect(archived["proofs"][1]["review_state"].string == "rejected")
                // A key that may read conversations but not jobs or proofs gets the archive without them.
                let chat = try await APICaller(client, token: noScope).get("/v1/members/\(memberID)/timeline").json["data"][0]
                #expect(chat["messages"].array.count == 5)
                #expect(chat["jobs"] == .null)
                #expect(chat["proofs"] == .null)
                // Proofs from an archived conversation's messages can still be recorded.
                #expect(try await admin.post("/v1/jobs/\(job)/proofs", #"{"message_ids":["\#(photo)"]}"#).status == .created)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("message ids need the job to be linked to a conversation; media ids must be the tenant's and visible")
    func mediaOnlyAndVisibility() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let bot = try await WebhookTests.createAdapter(admin, provider: "telegram", credentials: Self.botCredentials)
            try await Self.telegram(client, bot.url, 1, #""photo":[{"file_id":"f1","file_unique_id":"u1","width":1,"height":1}]"#)
            let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
            let message = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
            let media = try #require(message["media"]["id"].string)
            let photo = try #require(message["id"].string)
            let job = try #require(try await admin.post(
                "/v1/jobs", #"{"order_number":"PO-5","title":"Tow","status":"assigned","organization_id":"\#(network.organization)"}"#).json["id"].string)

            let unlinked = try await admin.post("/v1/jobs/\(job)/proofs", #"{"message_ids":["\#(photo)"]}"#)
            #expect(unlinked.json["error"]["code"].string == "no_conversation")
            // An agent outside the conversation's team cannot use its media.
            let team = try #require(try await admin.post("/v1/teams", #"{"name":"Night desk"}"#).json["id"].string)
            #expect(try await admin.post("/v1/conversations/\(conversation)/assign", #"{"team_id":"\#(team)"}"#).status == .ok)
            let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
            #expect(try await agent.post("/v1/jobs/\(job)/proofs", #"{"media_ids":["\#(media)"]}"#).json["error"]["code"].string == "unknown_reference")

            // Another tenant's media id is unknown here.
            let intruder = APICaller(client, try await fixtures.tenant("intruder"))
            let theirNetwork = try await JobNetwork.make(intruder)
            let theirJob = try #require(try await intruder.post(
                "/v1/jobs", #"{"order_number":"PO-5","title":"Tow","status":"assigned","organization_id":"\#(theirNetwork.organization)"}"#).json["id"].string)
            let stolen = try await intruder.post("/v1/jobs/\(theirJob)/proofs", #"{"media_ids":["\#(media)"]}"#)
            #expect(stolen.status == .unprocessableContent)
            #expect(stolen.json["error"]["code"].string == "unknown_reference")

            // The admin records it from the media id; no crew on the job, so no crew code. The
            // media is still pending (no provider here) and says so.
            let proof = try await admin.post("/v1/jobs/\(job)/proofs", #"{"media_ids":["\#(media)"],"latitude":40.1,"longitude":-3.2}"#)
            #expect(proof.status == .created)
            #expect(proof.json["crew_code"].isNull)
            #expect(proof.json["conversation_id"].string == conversation)
            #expect(proof.json["latitude"].double == 40.1)
            // A failed media would have been refused (media_failed).
            #expect(proof.json["media"][0]["status"].string == "pending")
            #expect(try await admin.post("/v1/jobs/\(UUID())/proofs", #"{"media_ids":["\#(media)"]}"#).status == .notFound)
            let tooMany = #"{"media_ids":[\#((0..<21).map { _ in "\"\(UUID())\"" }.joined(separator: ","))]}"#
            #expect(try await admin.post("/v1/jobs/\(job)/proofs", tooMany).status == .unprocessableContent)
            #expect(try await admin.post("/v1/proofs/\(UUID())/review", #"{"decision":"accepted"}"#).status == .notFound)
        }
    }
}
