import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

@Suite("Jobs and proofs: organization scope, release, media through proofs")
struct JobScopeTests {
    @Test("a supervisor of an organization sees, changes and reviews only its subtree's jobs and those of conversations it sees")
    func organizationScope() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let admin = desk.admin
            let inside = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            let tow = try #require(try await admin.get("/v1/members/\(desk.memberID)").json["organization_id"].string)
            let far = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Far"}"#).json["id"].string)
            #expect(try await admin.post("/v1/members", #"{"organization_id":"\#(far)","name":"Pablo","identities":[{"kind":"app","external_id":"app-user-2"}]}"#).status == .created)
            let outside = try #require(try await desk.app.post(
                "/v1/app/messages", #"{"sender":"app-user-2","provider_message_id":"m-2","text":"Hola"}"#).json["conversation_id"].string)

            func job(_ number: String, _ organization: String?, _ conversation: String?) async throws -> String {
                let assigned = organization.map { #","status":"assigned","organization_id":"\#($0)""# } ?? ""
                let linked = conversation.map { #","conversation_id":"\#($0)""# } ?? ""
                return try #require(try await admin.post("/v1/jobs", #"{"order_number":"\#(number)","title":"Tow"\#(assigned)\#(linked)}"#).json["id"].string)
            }
            let mine = try await job("PO-1", tow, nil)
            let seenConversation = try await job("PO-2", far, inside)
            let theirs = try await job("PO-3", far, nil)
            let hiddenConversation = try await job("PO-4", nil, outside)
            let mineInHidden = try await job("PO-5", tow, outside)
            let myProof = try #require(try await admin.post("/v1/jobs/\(mine)/proofs", #"{"latitude":40,"longitude":-3}"#).json["id"].string)
            let theirProof = try #require(try await admin.post("/v1/jobs/\(theirs)/proofs", #"{"latitude":41,"longitude":-3}"#).json["id"].string)

            let scopedFixture = try await fixtures.user(in: desk.fixture.tenant, role: .supervisor)
            #expect(try await admin.patch("/v1/users/\(scopedFixture.userID)", #"{"organization_id":"\#(tow)"}"#).status == .ok)
            let scoped = APICaller(client, scopedFixture)
            let everywhere = APICaller(client, try await fixtures.user(in: desk.fixture.tenant, role: .supervisor))

            #expect(try await scoped.get("/v1/jobs").json["data"].array.map { $0["id"].string } == [mineInHidden, seenConversation, mine])
            #expect(try await everywhere.get("/v1/jobs").json["data"].array.count == 5)
            for hidden in [theirs, hiddenConversation] {
                #expect(try await scoped.get("/v1/jobs/\(hidden)").status == .notFound)
                #expect(try await scoped.patch("/v1/jobs/\(hidden)", #"{"title":"Mine now"}"#).status == .notFound)
                #expect(try await scoped.post("/v1/jobs/\(hidden)/proofs", #"{"latitude":1,"longitude":1}"#).status == .notFound)
            }
            #expect(try await scoped.get("/v1/jobs/\(seenConversation)").status == .ok)
            #expect(try await scoped.patch("/v1/jobs/\(mine)", #"{"title":"Tow, now"}"#).status == .ok)
            // Filtering by a conversation it cannot see reveals nothing, not even its own subcontractor's job there.
            #expect(try await scoped.get("/v1/jobs?conversation_id=\(outside)").json["data"].array.isEmpty)
            #expect(try await scoped.get("/v1/jobs?conversation_id=\(inside)").json["data"].array.map { $0["id"].string } == [seenConversation])
            #expect(try await admin.get("/v1/jobs?conversation_id=\(outside)").json["data"].array.map { $0["id"].string } == [mineInHidden, hiddenConversation])

            // Proofs follow their job.
            #expect(try await scoped.get("/v1/proofs").json["data"].array.map { $0["id"].string } == [myProof])
            #expect(try await everywhere.get("/v1/proofs").json["data"].array.map { $0["id"].string } == [theirProof, myProof])
            #expect(try await scoped.get("/v1/proofs/\(theirProof)").status == .notFound)
            #expect(try await scoped.post("/v1/proofs/\(theirProof)/review", #"{"decision":"accepted"}"#).status == .notFound)
            #expect(try await scoped.post("/v1/proofs/\(myProof)/review", #"{"decision":"accepted"}"#).status == .ok)
            #expect(try await admin.get("/v1/proofs/\(theirProof)").json["review_state"].string == "submitted")

            // It cannot hand a job to a subcontractor outside its subtree, nor create one it would not see.
            let away = try await scoped.patch("/v1/jobs/\(mine)", #"{"organization_id":"\#(far)"}"#)
            #expect(away.status == .unprocessableContent)
            #expect(away.json["error"]["field"].string == "organization_id")
            #expect(try await scoped.post("/v1/jobs", #"{"order_number":"PO-6","title":"T","organization_id":"\#(far)"}"#).status == .unprocessableContent)
            let unseen = try await scoped.post("/v1/jobs", #"{"order_number":"PO-6","title":"T"}"#)
            #expect(unseen.status == .unprocessableContent)
            #expect(unseen.json["error"]["field"].string == "organization_id")
            #expect(try await scoped.post("/v1/jobs", #"{"order_number":"PO-6","title":"T","organization_id":"\#(tow)"}"#).status == .created)
            #expect(try await scoped.post("/v1/jobs", #"{"order_number":"PO-7","title":"T","conversation_id":"\#(inside)"}"#).status == .created)
            #expect(try await admin.get("/v1/jobs").json["data"].array.count == 7)
        }
    }

    @Test("assigned back to open releases the subcontractor and crew; null for a required field is a 422")
    func releaseAndNulls() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let network = try await JobNetwork.make(admin)
            let job = try #require(try await admin.post(
                "/v1/jobs", #"{"order_number":"PO-1","title":"Tow","status":"assigned","organization_id":"\#(network.organization)","crew_id":"\#(network.crew)"}"#
            ).json["id"].string)
            #expect(try await admin.get("/v1/jobs?crew_code=GN-7").json["data"].array.map { $0["id"].string } == [job])
            let released = try await admin.patch("/v1/jobs/\(job)", #"{"status":"open"}"#)
            #expect(released.status == .ok)
            #expect(released.json["status"].string == "open")
            #expect(released.json["organization_id"].isNull)
            #expect(released.json["crew_id"].isNull)
            #expect(released.json["crew_code"].isNull)
            #expect(try await admin.get("/v1/jobs?organization_id=\(network.organization)").json["data"].array.isEmpty)
            #expect(try await admin.get("/v1/jobs?crew_code=GN-7").json["data"].array.isEmpty)

            for field in ["title", "order_number", "required_tags", "status"] {
                let refused = try await admin.patch("/v1/jobs/\(job)", #"{"\#(field)":null}"#)
                #expect(refused.status == .unprocessableContent, "\(field)")
                #expect(refused.json["error"]["field"].string == field, "\(field)")
            }
            #expect(try await admin.get("/v1/jobs/\(job)").json["title"].string == "Tow")
        }
    }

    @Test("a proof's media settling bumps the proof for updated_since; proofs:read alone reaches the proof's media")
    func mediaThroughProofs() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await log.serve("/bot123:ABC/getFile", .json(#"{"ok":true,"result":{"file_id":"large","file_unique_id":"b","file_size":\#(MediaSamples.png.count),"file_path":"photos/file_7.jpg"}}"#))
            await log.serve("/file/bot123:ABC/photos/file_7.jpg", FakeResponse(body: MediaSamples.png))
            // Two failed attempts keep the media pending for at least 1.5 s after the first.
            await log.failNext([503, 503], path: "/bot123:ABC/getFile")
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let network = try await JobNetwork.make(admin)
                let bot = try await WebhookTests.createAdapter(admin, provider: "telegram", credentials: ProofsTests.botCredentials)
                let photo = #""photo":[{"file_id":"large","file_unique_id":"b","width":1280,"height":960}]"#
                try await ProofsTests.telegram(client, bot.url, 1, photo)
                let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
                let message = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                let (messageID, mediaID) = (try #require(message["id"].string), try #require(message["media"]["id"].string))
                #expect(try await eventually { try await admin.get("/v1/media/\(mediaID)").json["attempts"].int ?? 0 >= 1 })
                let job = try #require(try await admin.post(
                    "/v1/jobs", #"{"order_number":"PO-1","title":"Tow","status":"assigned","organization_id":"\#(network.organization)","conversation_id":"\#(conversation)"}"#
                ).json["id"].string)
                let recorded = try await admin.post("/v1/jobs/\(job)/proofs", #"{"message_ids":["\#(messageID)"]}"#)
                #expect(recorded.json["media"][0]["status"].string == "pending")
                let proof = try #require(recorded.json["id"].string)
                let since = RFC3339.format(Date())
                let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["proofs:read"]}"#).json["key"].string)
                let erp = APICaller(client, token: erpKey)
                #expect(try await erp.get("/v1/proofs?updated_since=\(since)").json["data"].array.isEmpty)

                #expect(try await MediaSamples.settled(admin, mediaID)["status"].string == "fetched")
                let synced = try await erp.get("/v1/proofs?updated_since=\(since)").json["data"]
                #expect(synced.array.map { $0["id"].string } == [proof])
                #expect(synced[0]["media"][0]["sha256"].string == MediaSamples.sha256Hex(MediaSamples.png))

                // proofs:read without conversations:read reaches the proof's media, and only that.
                #expect(try await erp.get("/v1/conversations/\(conversation)").status == .forbidden)
                #expect(try await erp.get("/v1/media/\(mediaID)").json["sha256"].string == MediaSamples.sha256Hex(MediaSamples.png))
                #expect(Array(buffer: try await erp.get("/v1/media/\(mediaID)/content").body) == MediaSamples.png)
                try await ProofsTests.telegram(client, bot.url, 2, photo)
                let loose = try #require(try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]["media"]["id"].string)
                #expect(loose != mediaID)
                #expect(try await MediaSamples.settled(admin, loose)["status"].string == "fetched")
                #expect(try await erp.get("/v1/media/\(loose)").status == .notFound)
                #expect(try await erp.get("/v1/media/\(loose)/content").status == .notFound)
                let jobsOnly = try #require(try await admin.post("/v1/api-keys", #"{"name":"Jobs","scopes":["jobs:read"]}"#).json["key"].string)
                #expect(try await APICaller(client, token: jobsOnly).get("/v1/media/\(mediaID)").status == .forbidden)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
