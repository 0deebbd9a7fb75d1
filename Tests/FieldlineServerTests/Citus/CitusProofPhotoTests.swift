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
            await MediaFetchTests.serveWhatsAppImage(jpeg, log, baseURL: baseURL)
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
            let form = MultipartForm.atSite(original, note: "Van on the truck")
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
            let (admin, phone, member, number) = try await SandboxPhoneTests.setUp(client, APICaller(client, try await Self.tenant(fixtures)))
            let (conversation, proof) = try await SandboxPhoneTests.photoProofScenario(admin, phone, member: member, number: number)
            // The agent's reply reaches the phone's thread through the outbox.
            #expect(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Recibido"}"#).status == .created)
            #expect(try await eventually { try await phone.thread(number).contains { $0["direction"].string == "received" && $0["message"]["text"].string == "Recibido" } })
            #expect(proof["checks"]["at_site"].bool == true)
            #expect(proof["checks"]["location_source"].string == "exif")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
