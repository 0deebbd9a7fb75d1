import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

/// A `multipart/form-data` body built in the test.
struct MultipartForm {
    static let boundary = "fieldline-test-7d93b"
    var body: [UInt8] = []

    mutating func field(_ name: String, _ value: String) {
        body += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String = "photo", filename: String, type: String = "image/jpeg", _ bytes: [UInt8]) {
        body += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body += bytes + Array("\r\n".utf8)
    }

    func closed() -> [UInt8] { body + Array("--\(Self.boundary)--\r\n".utf8) }

    /// The form of a crew's upload at the job's site (`EvidencePhotos.site`, to a few metres):
    /// its location, `note` and the camera photo `photo` as `IMG_0001.JPG`.
    static func atSite(_ photo: [UInt8], note: String) -> MultipartForm {
        var form = MultipartForm()
        form.field("latitude", "40.4170")
        form.field("longitude", "-3.7036")
        form.field("note", note)
        form.file(filename: "IMG_0001.JPG", photo)
        return form
    }

    static func post(_ client: any TestClientProtocol, _ token: String, _ path: String, _ body: [UInt8]) async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: [
            .authorization: "Bearer \(token)", .contentType: "multipart/form-data; boundary=\(boundary)",
        ], body: ByteBuffer(bytes: body)) { $0 }
    }
}

@Suite("Proof uploads: multipart photos streamed to storage, checked, hostile files refused")
struct ProofUploadTests {
    @Test("photos uploaded with a location become a proof with facts and checks; the files download with proofs:read")
    func upload() async throws {
        let directory = MediaSamples.directory()
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let job = try await ProofEvidenceTests.assignedJob(admin, network, order: "UP-1")
            let original = EvidencePhotos.original()
            let png = TestImages.png(TestImages.scene(width: 200, height: 150, variant: 9), width: 200, height: 150)
            var form = MultipartForm.atSite(original, note: "Van on the truck")
            form.file(filename: "plate.png", type: "image/png", png)
            let token = fixture.token
            let created = try await MultipartForm.post(client, token, "/v1/jobs/\(job)/proofs", form.closed())
            #expect(created.status == .created, "\(created.json)")
            let proof = created.json
            #expect(proof["note"].string == "Van on the truck")
            #expect(proof["media"].array.count == 2)
            #expect(proof["media"][0]["status"].string == "fetched")
            #expect(proof["media"][0]["message_id"].isNull)
            #expect(proof["media"][0]["sha256"].string == MediaSamples.sha256Hex(original))
            #expect(proof["media"][0]["exif"]["status"].string == "present")
            #expect(proof["media"][1]["content_type"].string == "image/png")
            #expect(proof["media"][1]["width"].int == 200)
            #expect(proof["media"][1]["perceptual_hash"].string?.count == 16)
            #expect(proof["checks"]["at_site"].bool == true)
            #expect(proof["checks"]["exif_consistent"].bool == true)
            #expect(proof["checks"]["unique"].bool == true)

            let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["proofs:read"]}"#).json["key"].string)
            let erp = APICaller(client, token: erpKey)
            let mediaID = try #require(proof["media"][0]["id"].string)
            #expect(Array(buffer: try await erp.get("/v1/media/\(mediaID)/content").body) == original)
            let item = try await erp.get("/v1/media/\(mediaID)").json
            #expect(item["provider"].string == "upload")
            #expect(item["width"].int == 320 && item["exif"]["status"].string == "present")
            #expect(item["perceptual_hash"].string == proof["media"][0]["perceptual_hash"].string)
            // Not reachable as a conversation's media: an upload has none.
            let chatKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"Chat","scopes":["conversations:read"]}"#).json["key"].string)
            #expect(try await APICaller(client, token: chatKey).get("/v1/media/\(mediaID)").status == .notFound)
            #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
            #expect(MediaSamples.files(in: directory, "objects").count == 2)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("oversize, truncated, a script named .jpg, an SVG, a decompression bomb, malformed EXIF, a broken form: each a clear 4xx, nothing stored, no proof")
    func hostileUploads() async throws {
        let directory = MediaSamples.directory()
        let photo = TestImages.photo(variant: 5)
        let oversize = photo + [UInt8](repeating: 0xAB, count: 60_000)
        let cases: [(String, [UInt8], HTTPResponse.Status, String)] = [
            ("big.jpg", oversize, .contentTooLarge, "file_too_large"),
            ("cut.jpg", Array(photo.prefix(photo.count / 2)), .unprocessableContent, "unreadable_image"),
            ("run.jpg", Array("#!/bin/sh\necho pwned > /tmp/x\n".utf8) + [UInt8](repeating: 10, count: 64), .unsupportedMediaType, "not_an_image"),
            ("logo.jpg", Array(#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.utf8), .unsupportedMediaType, "not_an_image"),
            ("bomb.png", TestHeaders.pngHead(width: 50_000, height: 50_000) + [UInt8](repeating: 0, count: 64), .unprocessableContent, "too_many_pixels"),
            ("exif.jpg", EvidencePhotos.malformedExif(), .unprocessableContent, "malformed_exif"),
            ("doc.pdf", Array("%PDF-1.7\n".utf8) + [UInt8](repeating: 32, count: 64), .unsupportedMediaType, "not_an_image"),
        ]
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory, maxBytes: 50_000)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let job = try await ProofEvidenceTests.assignedJob(admin, network, order: "UP-2")
            let token = fixture.token
            for (name, bytes, status, code) in cases {
                // A good photo first: it must be discarded with the bad one.
                var form = MultipartForm()
                form.file(filename: "good.jpg", TestImages.photo(variant: 6))
                form.file(filename: name, bytes)
                let refused = try await MultipartForm.post(client, token, "/v1/jobs/\(job)/proofs", form.closed())
                #expect(refused.status == status, "\(name): \(refused.json)")
                #expect(refused.json["error"]["code"].string == code, "\(name): \(refused.json)")
                #expect(refused.json["error"]["field"].string == "photo", "\(name)")
            }
            if let svgMessage = try await MultipartForm.post(client, token, "/v1/jobs/\(job)/proofs", {
                var form = MultipartForm(); form.file(filename: "a.jpg", cases[3].1); return form.closed()
            }()).json["error"]["message"].string {
                #expect(svgMessage.contains("SVG"))
            }
            // A form cut off mid-file (a dropped connection) and one without photos.
            var cut = MultipartForm()
            cut.file(filename: "half.jpg", photo)
            let truncated = try await MultipartForm.post(client, token, "/v1/jobs/\(job)/proofs", Array(cut.body.dropLast(40)))
            #expect(truncated.status == .badRequest)
            #expect(truncated.json["error"]["code"].string == "invalid_multipart")
            var empty = MultipartForm()
            empty.field("note", "nothing")
            #expect(try await MultipartForm.post(client, token, "/v1/jobs/\(job)/proofs", empty.closed()).json["error"]["code"].string == "missing_field")
            var unknown = MultipartForm()
            unknown.field("colour", "red")
            #expect(try await MultipartForm.post(client, token, "/v1/jobs/\(job)/proofs", unknown.closed()).json["error"]["code"].string == "unknown_field")
            // A job that takes no proofs refuses before reading the files.
            let open = try #require(try await admin.post("/v1/jobs", #"{"order_number":"UP-3","title":"Tow"}"#).json["id"].string)
            var form = MultipartForm()
            form.file(filename: "good.jpg", photo)
            #expect(try await MultipartForm.post(client, token, "/v1/jobs/\(open)/proofs", form.closed()).status == .conflict)

            #expect(try await admin.get("/v1/proofs?job_id=\(job)").json["data"].array.isEmpty)
            #expect(MediaSamples.files(in: directory, "objects").isEmpty)
            #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("Signed links to proof photos")
struct MediaLinkTests {
    @Test("a link serves the photo without a login, EXIF GPS blanked unless the tenant allows it; tampered, expired and unknown links are refused")
    func links() async throws {
        let directory = MediaSamples.directory()
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let job = try await ProofEvidenceTests.assignedJob(admin, network, order: "LN-1")
            let original = EvidencePhotos.original()
            var form = MultipartForm()
            form.file(filename: "IMG_0002.JPG", original)
            let proof = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(job)/proofs", form.closed()).json
            let mediaID = try #require(proof["media"][0]["id"].string)

            let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["proofs:read"]}"#).json["key"].string)
            let erp = APICaller(client, token: erpKey)
            let link = try await erp.post("/v1/media/\(mediaID)/links", #"{"expires_in":600}"#)
            #expect(link.status == .created)
            let url = try #require(link.json["url"].string)
            #expect(url.hasPrefix("http://localhost:8080/v1/media-links/"))
            #expect(link.json["expires_at"].string != nil)
            let path = String(url.dropFirst("http://localhost:8080".count))
            let anonymous = APICaller(client, token: nil)

            let served = try await anonymous.get(path)
            #expect(served.status == .ok)
            #expect(served.headers[.contentType] == "image/jpeg")
            let bytes = Array(buffer: served.body)
            #expect(bytes.count == original.count)
            #expect(bytes != original)
            let facts = try #require(try PhotoFacts.inspect(bytes).exif.facts)
            #expect(facts.location == nil)
            #expect(facts.capturedAt != nil)
            // Still the same picture.
            #expect(Array(bytes.suffix(original.count / 2)) == Array(original.suffix(original.count / 2)))

            #expect(try await admin.put("/v1/proof-settings", #"{"gps_in_links":true}"#).json["gps_in_links"].bool == true)
            #expect(try await admin.get("/v1/proof-settings").json["at_site_metres"].int == 250)
            #expect(Array(buffer: try await anonymous.get(path).body) == original)

            var tampered = Array(path)
            tampered[tampered.count - 5] = tampered[tampered.count - 5] == "A" ? "B" : "A"
            #expect(try await anonymous.get(String(tampered)).status == .notFound)
            let expired = MediaLinks(masterKey: Array(repeating: 7, count: 32))
                .token(mediaID: try #require(UUID(uuidString: mediaID)), tenantID: fixture.tenant.id, expiresAt: Date().addingTimeInterval(-5))
            let gone = try await anonymous.get("/v1/media-links/\(expired)")
            #expect(gone.status == .gone)
            #expect(gone.json["error"]["code"].string == "link_expired")
            #expect(try await erp.post("/v1/media/\(mediaID)/links", #"{"expires_in":100000}"#).status == .unprocessableContent)
            #expect(try await erp.post("/v1/media/\(UUID())/links", "{}").status == .notFound)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
