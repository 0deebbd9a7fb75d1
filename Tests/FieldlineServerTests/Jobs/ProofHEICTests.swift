import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("HEIC proof photos: decoded with libheif for their size and perceptual hash")
struct ProofHEICTests {
    @Test("a HEIC made with libheif's HEVC encoder gets its pixel size, EXIF GPS and a perceptual hash; a cropped JPEG copy in another job is flagged; a truncated HEIC is refused")
    func heicUpload() async throws {
        let directory = MediaSamples.directory()
        let (width, height) = (EvidencePhotos.width, EvidencePhotos.height)
        let scene = TestImages.scene(width: width, height: height, variant: 3)
        let heic = TestImages.heic(scene, width: width, height: height, exif: EvidencePhotos.exif())
        #expect(MediaSniffer.detect(heic) == "image/heic")
        // The same scene as a JPEG, cropped by 3% on two sides and recompressed (a forwarded copy).
        let (x, y) = (width * 3 / 100, height * 3 / 100)
        let copy = TestImages.jpeg(TestImages.crop(scene, sourceWidth: width, x: x, y: y, width: width - x, height: height - y),
                                   width: width - x, height: height - y, quality: 55)
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let first = try await ProofEvidenceTests.assignedJob(admin, network, order: "HE-1")
            var form = MultipartForm()
            form.field("latitude", "40.4170")
            form.field("longitude", "-3.7036")
            form.file(filename: "IMG_0003.HEIC", type: "image/heic", heic)
            let created = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(first)/proofs", form.closed())
            #expect(created.status == .created, "\(created.json)")
            let photo = created.json["media"][0]
            #expect(photo["content_type"].string == "image/heic")
            #expect(photo["width"].int == width && photo["height"].int == height)
            #expect(photo["exif"]["status"].string == "present")
            #expect(abs((photo["exif"]["latitude"].double ?? 0) - EvidencePhotos.site.latitude) < 1e-5)
            let hash = try #require(photo["perceptual_hash"].string.flatMap { UInt64($0, radix: 16) })
            // The HEIC's hash is the scene's: what the JPEG decoder finds in a lossless copy of it.
            let sceneHash = try #require(PerceptualHash.dHash(gray: Self.thumbnail(scene, width: width, height: height), width: 64, height: 48))
            #expect(PerceptualHash.distance(hash, sceneHash) <= 4, "\(PerceptualHash.hex(hash)) vs \(PerceptualHash.hex(sceneHash))")
            #expect(created.json["checks"]["unique"].bool == true)
            #expect(created.json["checks"]["exif_consistent"].bool == true)

            // Through a signed link the HEIC's EXIF GPS is blanked in place; the rest is the file.
            let mediaID = try #require(photo["id"].string)
            let url = try #require(try await admin.post("/v1/media/\(mediaID)/links", "{}").json["url"].string)
            let served = try await APICaller(client, token: nil).get(String(url.dropFirst("http://localhost:8080".count)))
            #expect(served.status == .ok)
            #expect(served.headers[.contentType] == "image/heic")
            let bytes = Array(buffer: served.body)
            #expect(bytes.count == heic.count && bytes != heic)
            let facts = try #require(try PhotoFacts.inspect(bytes).exif.facts)
            #expect(facts.location == nil)
            #expect(facts.capturedAt != nil)
            #expect(zip(bytes, heic).filter { $0 != $1 }.count < 200, "only the GPS values change")

            let second = try await ProofEvidenceTests.assignedJob(admin, network, order: "HE-2")
            var copyForm = MultipartForm()
            copyForm.file(filename: "forwarded.jpg", copy)
            let reused = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(second)/proofs", copyForm.closed()).json
            #expect(reused["checks"]["unique"].bool == false, "\(reused["media"])")
            #expect(reused["checks"]["reused_in"].array.map(\.string) == ["HE-1"])

            // Cut off: its item locations point past the end of the file.
            var cut = MultipartForm()
            cut.file(filename: "cut.heic", type: "image/heic", Array(heic.prefix(heic.count * 2 / 3)))
            let refused = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(second)/proofs", cut.closed())
            #expect(refused.status == .unprocessableContent)
            #expect(refused.json["error"]["code"].string == "unreadable_image", "\(refused.json)")
            #expect(refused.json["error"]["message"].string?.contains("HEIF") == true, "\(refused.json)")
            #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `pixels` area-averaged to 64 × 48, as the decoders' thumbnail is.
    static func thumbnail(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        var sums = [Int](repeating: 0, count: 64 * 48), counts = sums
        for row in 0..<height {
            for column in 0..<width {
                let cell = (row * 48 / height) * 64 + column * 64 / width
                sums[cell] += Int(pixels[row * width + column])
                counts[cell] += 1
            }
        }
        return zip(sums, counts).map { UInt8($0 / max($1, 1)) }
    }
}
