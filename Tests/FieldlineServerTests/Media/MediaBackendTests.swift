import AsyncHTTPClient
import FieldlineDomain
import FieldlineTestSupport
import Foundation
import NIOCore
import Testing
@testable import FieldlineServer

/// The two media stores, exercised by the same tests: local disk and an S3-compatible server
/// (moto, started on loopback by scripts/test; FIELDLINE_TEST_S3_ENDPOINT says where).
enum MediaBackend: String, CaseIterable, CustomStringConvertible {
    case local, s3

    var description: String { rawValue }

    /// The moto endpoint; a missing one fails the S3 tests (they are never skipped).
    static func s3Endpoint() throws -> String {
        try #require(ProcessInfo.processInfo.environment["FIELDLINE_TEST_S3_ENDPOINT"], "FIELDLINE_TEST_S3_ENDPOINT is not set: run the tests with scripts/test, which starts moto")
    }

    /// S3 settings with a prefix of the test's own.
    static func s3Settings(partSize: Int = 5 * 1024 * 1024) throws -> S3Settings {
        S3Settings(bucket: "fieldline-test", region: "us-east-1", endpoint: try s3Endpoint(), accessKeyID: "test-key",
                   secretAccessKey: "test-secret", prefix: "t-\(UUID().uuidString.lowercased())/", pathStyle: true, partSize: partSize)
    }

    /// Configures `config` for this backend (media under `directory` either way: the spool for S3).
    func configure(_ config: inout AppConfig, settings: S3Settings?) {
        config.mediaS3 = self == .s3 ? settings : nil
    }

    /// Stored object count (files under objects/, or keys under the prefix) and spool leftovers.
    func stored(directory: String, settings: S3Settings?) async throws -> (objects: Int, spool: Int) {
        let spool = MediaSamples.files(in: directory, "tmp").count
        switch self {
        case .local: return (MediaSamples.files(in: directory, "objects").count, spool)
        case .s3:
            let settings = try #require(settings)
            return (try await S3Client(settings: settings, http: .shared).list(prefix: settings.prefix).count, spool)
        }
    }
}

@Suite("Media stores: local disk and S3, the same tests")
struct MediaBackendTests {
    static func prepare(_ backend: MediaBackend) async throws -> S3Settings? {
        guard backend == .s3 else { return nil }
        let settings = try MediaBackend.s3Settings()
        try await S3Client(settings: settings, http: .shared).createBucket()
        return settings
    }

    @Test("uploads and webhook media land in the store once, download whole, and refusals leave nothing", arguments: MediaBackend.allCases)
    func throughTheAPI(_ backend: MediaBackend) async throws {
        let settings = try await Self.prepare(backend)
        let directory = MediaSamples.directory()
        let photo = EvidencePhotos.original()
        let other = TestImages.photo(variant: 11)
        try await FakeProvider.run { baseURL, log in
            await log.serve("/cdn/photo.jpg", FakeResponse(body: photo))
            try await TestApp.run(configure: { config in
                MediaSamples.configure(baseURL, mediaDir: directory)(&config)
                backend.configure(&config, settings: settings)
            }) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let network = try await JobNetwork.make(admin)
                let job = try await ProofEvidenceTests.assignedJob(admin, network, order: "ST-1")
                // A provider's photo, fetched into the store.
                let page = try await WebhookTests.createAdapter(admin, provider: "messenger", credentials: ProofEvidenceTests.pageCredentials)
                let fetched = try await ProofEvidenceTests.sendPhoto(client, admin, url: page.url, baseURL: baseURL, mid: "s1", path: "/cdn/photo.jpg")
                #expect(fetched["status"].string == "fetched", "\(fetched)")
                // The same photo uploaded again, and another: two objects in all.
                var form = MultipartForm()
                form.file(filename: "a.jpg", photo)
                form.file(filename: "b.jpg", other)
                let proof = try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(job)/proofs", form.closed())
                #expect(proof.status == .created, "\(proof.json)")
                for (index, bytes) in [photo, other].enumerated() {
                    let id = try #require(proof.json["media"][index]["id"].string)
                    let content = try await admin.get("/v1/media/\(id)/content")
                    #expect(content.status == .ok)
                    #expect(Array(buffer: content.body) == bytes, "\(backend): media \(index)")
                }
                #expect(try await backend.stored(directory: directory, settings: settings) == (2, 0))
                // A refused upload adds nothing.
                var bad = MultipartForm()
                bad.file(filename: "new.jpg", TestImages.photo(variant: 12))
                bad.file(filename: "bomb.png", TestHeaders.pngHead(width: 50_000, height: 50_000) + [UInt8](repeating: 0, count: 40))
                #expect(try await MultipartForm.post(client, fixture.token, "/v1/jobs/\(job)/proofs", bad.closed()).status == .unprocessableContent)
                #expect(try await backend.stored(directory: directory, settings: settings) == (2, 0))
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a large file goes up whole (S3: as a multipart upload) and an aborted one leaves nothing", arguments: MediaBackend.allCases)
    func largeAndAborted(_ backend: MediaBackend) async throws {
        let settings = try await Self.prepare(backend)
        let directory = MediaSamples.directory()
        var config = try AppConfig.fromEnvironment(["DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d", "JWT_SECRET": String(repeating: "s", count: 32),
                                                    "MASTER_KEY": String(repeating: "ab", count: 32), "MEDIA_DIR": directory])
        backend.configure(&config, settings: settings)
        let store = config.makeMediaStore()
        // 12 MiB of varied bytes: three parts of 5, 5 and 2 MiB on S3.
        var bytes = [UInt8](repeating: 0, count: 12 * 1024 * 1024)
        var state: UInt32 = 2_463_534_242
        for index in bytes.indices {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        let upload = try await store.begin()
        for start in stride(from: 0, to: bytes.count, by: 300_000) {
            try await upload.write(ByteBuffer(bytes: bytes[start..<min(start + 300_000, bytes.count)]))
        }
        let stored = try await upload.commit(expectedSHA256: nil)
        #expect(stored.sha256 == MediaSamples.sha256Hex(bytes))
        #expect(stored.size == Int64(bytes.count))
        let read: [UInt8]
        switch backend {
        case .local:
            read = Array(try Data(contentsOf: FileMediaStore(directory: directory).path(sha256: stored.sha256)))
        case .s3:
            let client = S3Client(settings: try #require(settings), http: .shared)
            let response = try #require(try await client.get(client.key(sha256: stored.sha256)))
            read = Array(buffer: try await response.body.collect(upTo: 20 << 20))
        }
        #expect(read == bytes)
        // Written, then aborted: nothing stored, nothing spooled.
        let aborted = try await store.begin()
        try await aborted.write(ByteBuffer(bytes: [1, 2, 3]))
        await aborted.abort()
        // A declared hash that does not match discards the file.
        let wrong = try await store.begin()
        try await wrong.write(ByteBuffer(bytes: [4, 5, 6]))
        await #expect(throws: SHA256Mismatch.self) { _ = try await wrong.commit(expectedSHA256: String(repeating: "0", count: 64)) }
        #expect(try await backend.stored(directory: directory, settings: settings) == (1, 0))
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("Moving local media to S3")
struct MediaMigrationTests {
    @Test("local files go up under the same keys, are removed locally, and a second run has nothing to do; a corrupt file stays")
    func moveToS3() async throws {
        let settings = try MediaBackend.s3Settings()
        let client = S3Client(settings: settings, http: .shared)
        try await client.createBucket()
        let directory = MediaSamples.directory()
        let local = FileMediaStore(directory: directory)
        var hashes: [String] = []
        for variant in 0..<3 {
            let upload = try await local.begin()
            try await upload.write(ByteBuffer(bytes: TestImages.photo(variant: variant)))
            hashes.append(try await upload.commit(expectedSHA256: nil).sha256)
        }
        // A file whose bytes no longer match its name.
        let bad = local.path(sha256: String(repeating: "ab", count: 32))
        try FileManager.default.createDirectory(at: bad.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: bad)

        let first = try await MediaMigration.moveLocalToS3(directory: directory, settings: settings)
        #expect(first.uploaded == 3)
        #expect(first.corrupt.count == 1)
        for sha256 in hashes {
            let response = try #require(try await client.get(client.key(sha256: sha256)))
            #expect(MediaSamples.sha256Hex(Array(buffer: try await response.body.collect(upTo: 1 << 20))) == sha256)
        }
        #expect(MediaSamples.files(in: directory, "objects") == ["ab/ab/" + String(repeating: "ab", count: 32)])
        let second = try await MediaMigration.moveLocalToS3(directory: directory, settings: settings)
        #expect(second.uploaded == 0 && second.alreadyThere == 0 && second.corrupt.count == 1)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
