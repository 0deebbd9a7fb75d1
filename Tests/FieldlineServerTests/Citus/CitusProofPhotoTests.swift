import FieldlineTestSupport
import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import FieldlineServer

extension CitusTests {
    @Test("proofs from photos on the cluster: a WhatsApp photo downloaded through the provider and stored, then made a proof")
    func proofFromProviderPhoto() async throws {
        let directory = MediaSamples.directory()
        let jpeg = MediaSamples.jpeg()
        try await FakeProvider.run { baseURL, log in
            await log.serve("/v23.0/1003383421387256", .json(
                #"{"url":"\#(baseURL)/whatsapp/download/1003383421387256","mime_type":"image/jpeg","sha256":"\#(MediaSamples.sha256Base64(jpeg))","file_size":"\#(jpeg.count)","id":"1003383421387256","messaging_product":"whatsapp"}"#,
                authorization: "Bearer wa-token"))
            await log.serve("/whatsapp/download/1003383421387256", FakeResponse(contentType: "image/jpeg", body: jpeg, requiredAuthorization: "Bearer wa-token"))
            try await Self.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await Self.tenant(fixtures))
                let network = try await JobNetwork.make(admin)
                let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: MediaFetchTests.whatsAppCredentials)
                let webhook = MediaSamples.whatsAppImage(messageID: "wamid.CITUS-IMG", mediaID: "1003383421387256", sha256: MediaSamples.sha256Base64(jpeg))
                #expect(try await WebhookTests.postSigned(client, hook.url, webhook).status == .ok)
                let (conversation, summary) = try await MediaSamples.onlyMedia(admin)
                let mediaID = try #require(summary["id"].string)
                // The fetch (an outbox job) downloaded it, stored it by its SHA-256 and settled the row.
                let media = try await MediaSamples.settled(admin, mediaID)
                #expect(media["status"].string == "fetched", "\(media)")
                #expect(media["sha256"].string == MediaSamples.sha256Hex(jpeg))
                #expect(Array(buffer: try await admin.get("/v1/media/\(mediaID)/content").body) == jpeg)
                #expect(await log.gets("/whatsapp/download/1003383421387256").count == 1)
                let message = try #require(try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]["id"].string)

                let job = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-WA","title":"Tow","conversation_id":"\#(conversation)"}"#).json["id"].string)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"assigned","organization_id":"\#(network.organization)","crew_id":"\#(network.crew)"}"#).status == .ok)
                let proof = try await admin.post("/v1/jobs/\(job)/proofs", #"{"message_ids":["\#(message)"],"note":"On the truck"}"#)
                #expect(proof.status == .created, "\(proof.text)")
                #expect(proof.json["conversation_id"].string == conversation)
                #expect(proof.json["crew_code"].string == "GN-7")
                #expect(proof.json["media"].array.map { $0["id"].string } == [mediaID])
                #expect(proof.json["media"][0]["message_id"].string == message)
                #expect(proof.json["media"][0]["sha256"].string == MediaSamples.sha256Hex(jpeg))
                let proofID = try #require(proof.json["id"].string)
                #expect(try await admin.get("/v1/proofs/\(proofID)").json["media"][0]["size"].int == jpeg.count)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("proofs from photos on the cluster: a multipart upload streamed to storage, with its facts and checks; the orphan sweep keeps it")
    func proofFromUpload() async throws {
        let directory = MediaSamples.directory()
        try await Self.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let job = try await ProofEvidenceTests.assignedJob(admin, network, order: "UP-1")
            let original = EvidencePhotos.original()
            var form = MultipartForm()
            form.field("latitude", "40.4170")
            form.field("longitude", "-3.7036")
            form.field("note", "Van on the truck")
            form.file(filename: "IMG_0001.JPG", original)
            let created = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(job)/proofs", form.closed())
            #expect(created.status == .created, "\(created.text)")
            let proof = created.json
            #expect(proof["media"].array.count == 1)
            #expect(proof["media"][0]["status"].string == "fetched")
            #expect(proof["media"][0]["sha256"].string == MediaSamples.sha256Hex(original))
            #expect(proof["media"][0]["exif"]["status"].string == "present")
            #expect(proof["checks"]["at_site"].bool == true)
            #expect(proof["checks"]["unique"].bool == true)
            let mediaID = try #require(proof["media"][0]["id"].string)
            #expect(Array(buffer: try await admin.get("/v1/media/\(mediaID)/content").body) == original)
            // The same file in a second job of the tenant is flagged as reused.
            let second = try await ProofEvidenceTests.assignedJob(admin, network, order: "UP-2")
            var again = MultipartForm()
            again.file(filename: "IMG_0001.JPG", original)
            let reused = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(second)/proofs", again.closed())
            #expect(reused.status == .created, "\(reused.text)")
            #expect(reused.json["checks"]["unique"].bool == false, "\(reused.text)")

            // Retention's orphan sweep asks every tenant's shard which files rows name: a file no
            // row names goes, the proof's stays.
            var config = testConfig(database: fixtures.settings)
            config.mediaDir = directory
            let store = config.makeMediaStore()
            let orphan = try await OrphanMediaTests.store(TestImages.photo(variant: 22), in: store)
            try await Task.sleep(for: .seconds(2.5))
            let sweep = OrphanMediaSweep(database: fixtures.database, store: store, age: .seconds(1), batchSize: 10, logger: Logger(label: "test"))
            #expect(try await sweep.sweep(now: Date()) >= 1)
            #expect(try await store.head(sha256: orphan, count: 1) == nil)
            #expect(try await store.head(sha256: MediaSamples.sha256Hex(original), count: 1) != nil)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("proofs from photos on the cluster: the sandbox phone's photo, fetched from the media store, goes into a proof")
    func sandboxPhoto() async throws {
        let directory = MediaSamples.directory()
        try await Self.run(configure: { config in
            SandboxPhoneTests.configure(&config)
            config.mediaDir = directory
        }) { client, fixtures in
            let admin = APICaller(client, try await Self.tenant(fixtures))
            let created = try await admin.post("/v1/adapters", #"{"provider":"sandbox","name":"Phone","credentials":{"secret":"\#(SandboxPhoneTests.secret)"}}"#)
            #expect(created.status == .created, "\(created.text)")
            let phone = SandboxPhoneTests.Phone(client: client, adapter: try #require(created.json["id"].string))
            let organization = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Ana"}"#).json["id"].string)
            let member = try #require(try await admin.post("/v1/members", #"{"organization_id":"\#(organization)","name":"Ana"}"#).json["id"].string)
            let opened = try await phone.send(.put, "/v1/sandbox/\(phone.adapter)/members/\(member)/phone")
            #expect(opened.status == .ok, "\(opened.text)")
            let number = try #require(opened.json["phone"].string)
            let upload = try await phone.send(.post, "/v1/sandbox/\(phone.adapter)/media", ByteBuffer(bytes: EvidencePhotos.original()), type: "image/jpeg")
            #expect(upload.status == .created, "\(upload.text)")
            let mediaID = try #require(upload.json["media_id"].string)
            #expect(try await phone.hook(#"{"messages":[{"id":"p-1","from":"\#(number)","image":{"media_id":"\#(mediaID)"}}]}"#).status == .ok)
            let conversation = try #require(try await admin.get("/v1/conversations?member_id=\(member)").json["data"][0]["id"].string)
            @Sendable func image() async throws -> JSON? {
                try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array.first { $0["kind"].string == "image" }
            }
            #expect(try await eventually { try await image()?["media"]["status"].string == "fetched" })
            let message = try #require(try await image()?["id"].string)
            // The agent's reply reaches the phone's thread through the outbox.
            #expect(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Recibido"}"#).status == .created)
            #expect(try await eventually { try await phone.thread(number).contains { $0["direction"].string == "received" && $0["message"]["text"].string == "Recibido" } })
            let job = try await admin.post("/v1/jobs", #"""
                {"order_number":"PO-SBX-PHOTO","title":"Tow","latitude":\#(EvidencePhotos.site.latitude),"longitude":\#(EvidencePhotos.site.longitude),
                 "status":"assigned","organization_id":"\#(organization)","conversation_id":"\#(conversation)"}
                """#)
            #expect(job.status == .created, "\(job.text)")
            let proof = try await admin.post("/v1/jobs/\(try #require(job.json["id"].string))/proofs", #"{"message_ids":["\#(message)"]}"#)
            #expect(proof.status == .created, "\(proof.text)")
            #expect(proof.json["media"][0]["exif"]["status"].string == "present")
            #expect(proof.json["checks"]["at_site"].bool == true)
            #expect(proof.json["checks"]["location_source"].string == "exif")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
