import CImageKit
import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("WebP proof photos: decoded with libwebp for their perceptual hash, lossy and lossless")
struct ProofWebPTests {
    @Test("a lossy WebP (scaled by libwebp) and a lossless one hash as their scene; the JPEG of the same picture in another job is flagged; a cut-off WebP is refused")
    func webpUpload() async throws {
        let directory = MediaSamples.directory()
        // Lossy, large enough that libwebp scales it down while decoding; lossless, decoded whole.
        let (width, height) = (1024, 768)
        let scene = TestImages.scene(width: width, height: height, variant: 4)
        let lossy = TestImages.webp(scene, width: width, height: height, quality: 75)
        let small = TestImages.scene(width: 320, height: 240, variant: 4)
        let lossless = TestImages.webp(small, width: 320, height: 240, lossless: true)
        #expect(MediaSniffer.detect(lossy) == "image/webp" && MediaSniffer.detect(lossless) == "image/webp")
        let sceneHash = try #require(PerceptualHash.dHash(gray: ProofHEICTests.thumbnail(scene, width: width, height: height), width: 64, height: 48))
        let jpeg = TestImages.jpeg(scene, width: width, height: height, quality: 85)
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)

            func upload(_ bytes: [UInt8], order: String, name: String, type: String) async throws -> (Int, JSON) {
                let job = try await ProofEvidenceTests.assignedJob(admin, network, order: order)
                var form = MultipartForm()
                form.file(filename: name, type: type, bytes)
                let response = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(job)/proofs", form.closed())
                return (Int(response.status.code), response.json)
            }

            let (lossyStatus, first) = try await upload(lossy, order: "WP-1", name: "IMG_0004.webp", type: "image/webp")
            #expect(lossyStatus == 201, "\(first)")
            let photo = first["media"][0]
            #expect(photo["content_type"].string == "image/webp")
            #expect(photo["width"].int == width && photo["height"].int == height)
            #expect(photo["perceptual_hash_compared"].bool == true)
            let hash = try #require(photo["perceptual_hash"].string.flatMap { UInt64($0, radix: 16) }, "\(photo)")
            #expect(PerceptualHash.distance(hash, sceneHash) <= 4, "\(PerceptualHash.hex(hash)) vs \(PerceptualHash.hex(sceneHash))")
            #expect(first["checks"]["unique"].bool == true)

            // The JPEG of the same picture: other bytes, the same picture.
            let (_, copy) = try await upload(jpeg, order: "WP-2", name: "forwarded.jpg", type: "image/jpeg")
            let jpegHash = try #require(copy["media"][0]["perceptual_hash"].string.flatMap { UInt64($0, radix: 16) })
            #expect(PerceptualHash.distance(hash, jpegHash) <= 4, "\(PerceptualHash.hex(hash)) vs \(PerceptualHash.hex(jpegHash))")
            #expect(copy["checks"]["unique"].bool == false, "\(copy["media"])")
            #expect(copy["checks"]["reused_in"].array.map(\.string) == ["WP-1"])

            // Lossless: the same scene at another size, decoded without libwebp's scaling.
            let (losslessStatus, third) = try await upload(lossless, order: "WP-3", name: "scan.webp", type: "image/webp")
            #expect(losslessStatus == 201, "\(third)")
            let losslessHash = try #require(third["media"][0]["perceptual_hash"].string.flatMap { UInt64($0, radix: 16) })
            let smallHash = try #require(PerceptualHash.dHash(gray: ProofHEICTests.thumbnail(small, width: 320, height: 240), width: 64, height: 48))
            #expect(PerceptualHash.distance(losslessHash, smallHash) <= 2, "\(PerceptualHash.hex(losslessHash)) vs \(PerceptualHash.hex(smallHash))")
            #expect(Set(third["checks"]["reused_in"].array.compactMap(\.string)) == ["WP-1", "WP-2"], "\(third["checks"])")

            // Cut off: libwebp finds too little data, and the upload is refused with nothing kept.
            let (cutStatus, cut) = try await upload(Array(lossy.prefix(lossy.count / 2)), order: "WP-4", name: "cut.webp", type: "image/webp")
            #expect(cutStatus == 422)
            #expect(cut["error"]["code"].string == "unreadable_image", "\(cut)")
            #expect(cut["error"]["message"].string?.contains("WebP") == true, "\(cut)")
            #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a WebP declaring more than 25 megapixels is kept without a hash (nothing decoded), as a HEIC is")
    func largeWebPNotDecoded() throws {
        // A lossy WebP's frame header alone: a key frame of 6,000 × 5,000 (30 megapixels).
        func le(_ value: Int, _ count: Int) -> [UInt8] { (0..<count).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        let frame: [UInt8] = [0x10, 0, 0, 0x9D, 0x01, 0x2A] + le(6000, 2) + le(5000, 2)
        let bytes = Array("RIFF".utf8) + le(4 + 8 + frame.count, 4) + Array("WEBPVP8 ".utf8) + le(frame.count, 4) + frame
        let file = NSTemporaryDirectory() + "large-\(UUID().uuidString).webp"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(FL_WEBP_MAX_DECODED_PIXELS == 25_000_000)
        let decoded = try PhotoInspector.decode(file: file, kind: 4)
        #expect(decoded.hash == nil)
        #expect(decoded.width == 6000 && decoded.height == 5000)
    }
}
