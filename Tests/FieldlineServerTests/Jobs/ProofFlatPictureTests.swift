import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Reused photos: flat pictures are not matched by perceptual hash")
struct ProofFlatPictureTests {
    static func upload(_ client: any TestClientProtocol, _ token: String, job: String, _ photos: [[UInt8]]) async throws -> JSON {
        var form = MultipartForm()
        for (index, photo) in photos.enumerated() { form.file(filename: "IMG_\(index).JPG", photo) }
        let response = try await MultipartForm.post(client, token, "/v1/jobs/\(job)/proofs", form.closed())
        #expect(response.status == .created, "\(response.json)")
        return response.json
    }

    static func hash(_ media: JSON) throws -> UInt64 {
        try #require(media["perceptual_hash"].string.flatMap { UInt64($0, radix: 16) })
    }

    @Test("a black photo, a white one and two evenly lit walls in different jobs are not flagged, though their hashes match; the same black file again is, by SHA-256")
    func flatPictures() async throws {
        let directory = MediaSamples.directory()
        let (width, height) = (320, 240)
        func jpeg(_ pixels: [UInt8]) -> [UInt8] { TestImages.jpeg(pixels, width: width, height: height) }
        let black = jpeg(TestImages.flat(width: width, height: height, level: 2))
        let white = jpeg(TestImages.flat(width: width, height: height, level: 250))
        let wall = jpeg(TestImages.flat(width: width, height: height, level: 200, vignette: 0.2))
        let otherWall = jpeg(TestImages.flat(width: width, height: height, level: 160, vignette: 0.15))
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let first = try await ProofEvidenceTests.assignedJob(admin, network, order: "FL-1")
            let second = try await ProofEvidenceTests.assignedJob(admin, network, order: "FL-2")
            let third = try await ProofEvidenceTests.assignedJob(admin, network, order: "FL-3")
            let one = try await Self.upload(client, fixture.token, job: first, [black, wall])
            let two = try await Self.upload(client, fixture.token, job: second, [white, otherWall])
            // Matching hashes: before flat pictures were left out, both pairs were "reused".
            #expect(PerceptualHash.distance(try Self.hash(one["media"][0]), try Self.hash(two["media"][0])) <= PerceptualHash.matchDistance)
            #expect(PerceptualHash.distance(try Self.hash(one["media"][1]), try Self.hash(two["media"][1])) <= PerceptualHash.matchDistance)
            #expect(two["checks"]["unique"].bool == true, "\(two["checks"])")
            #expect(two["media"].array.allSatisfy { $0["reused_in"].array.isEmpty })
            for media in one["media"].array + two["media"].array {
                #expect(media["perceptual_hash_compared"].bool == false, "\(media)")
            }
            let firstID = try #require(one["id"].string)
            #expect(try await admin.get("/v1/proofs/\(firstID)").json["checks"]["unique"].bool == true)

            // The very same black file in a third job, beside a real scene: flagged by SHA-256.
            let scene = TestImages.photo(variant: 7)
            let three = try await Self.upload(client, fixture.token, job: third, [black, scene])
            #expect(three["checks"]["unique"].bool == false)
            #expect(three["checks"]["reused_in"].array.map(\.string) == ["FL-1"])
            #expect(three["media"][0]["reused_in"].array.map(\.string) == ["FL-1"])
            #expect(three["media"][1]["reused_in"].array.isEmpty)
            #expect(three["media"][1]["perceptual_hash_compared"].bool == true)
            let blackID = try #require(three["media"][0]["id"].string)
            let item = try await admin.get("/v1/media/\(blackID)").json
            #expect(item["perceptual_hash_compared"].bool == false, "\(item)")
            #expect(try await admin.get("/v1/proofs/\(firstID)").json["checks"]["reused_in"].array.map(\.string) == ["FL-3"])
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
