import FieldlineTestSupport
import Foundation
import Logging
import NIOCore
import Testing
@testable import FieldlineServer

@Suite("Orphan media: files no media row names are removed after a bound, on both stores")
struct OrphanMediaTests {
    /// Stores `bytes` straight into the store, as a request that failed after storing would leave them.
    static func store(_ bytes: [UInt8], in store: any MediaStore) async throws -> String {
        let upload = try await store.begin()
        try await upload.write(ByteBuffer(bytes: bytes))
        return try await upload.commit(expectedSHA256: nil).sha256
    }

    @Test("an unreferenced old file and an old spool leftover go; a proof's file, a fresh file and a live spool stay", arguments: MediaBackend.allCases)
    func sweep(_ backend: MediaBackend) async throws {
        let settings = try await MediaBackendTests.prepare(backend)
        let directory = MediaSamples.directory()
        try await TestApp.run(configure: { config in
            MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)(&config)
            backend.configure(&config, settings: settings)
        }) { client, fixtures in
            var config = testConfig(database: fixtures.settings)
            config.mediaDir = directory
            backend.configure(&config, settings: settings)
            let store = config.makeMediaStore()

            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let job = try await ProofEvidenceTests.assignedJob(admin, try await JobNetwork.make(admin), order: "ORPHAN-1")
            let proof = try await ProofReviewTimelineTests.upload(client, fixture.token, job: job, TestImages.photo(variant: 21))
            let kept = try #require(proof["media"][0]["sha256"].string)
            let orphan = try await Self.store(TestImages.photo(variant: 22), in: store)
            let spool = URL(fileURLWithPath: directory).appendingPathComponent("tmp")
            try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: spool.appendingPathComponent("stale").path, contents: Data("half a file".utf8))

            // Older than the bound (1 s here; MEDIA_ORPHAN_HOURS in service) at the moment the sweep counts from.
            try await Task.sleep(for: .seconds(2.5))
            let now = Date()
            let fresh = try await Self.store(TestImages.photo(variant: 23), in: store)
            _ = FileManager.default.createFile(atPath: spool.appendingPathComponent("live").path, contents: Data("uploading".utf8))

            let sweep = OrphanMediaSweep(database: fixtures.database, store: store, age: .seconds(1), batchSize: 10, logger: Logger(label: "test"))
            #expect(try await sweep.sweep(now: now) == 2)
            #expect(try await store.head(sha256: kept, count: 1) != nil)
            #expect(try await store.head(sha256: orphan, count: 1) == nil)
            #expect(try await store.head(sha256: fresh, count: 1) != nil)
            #expect(MediaSamples.files(in: directory, "tmp") == ["live"])
            // The proof's photo still downloads.
            let media = try #require(proof["media"][0]["id"].string)
            #expect(try await admin.get("/v1/media/\(media)/content").status == .ok)
            // The retention pass runs the sweep (nothing is a day old here); without one, files are left alone.
            let daily = OrphanMediaSweep(database: fixtures.database, store: store, age: .seconds(86_400), batchSize: 10, logger: Logger(label: "test"))
            let worker = RetentionWorker(database: fixtures.database, settings: RetentionSettings(), logger: Logger(label: "test"), mediaSweep: daily)
            #expect(try await worker.prune().mediaFiles == 0)
            #expect(try await RetentionWorker(database: fixtures.database, settings: RetentionSettings(), logger: Logger(label: "test"))
                .prune().mediaFiles == 0)
            #expect(try await store.head(sha256: fresh, count: 1) != nil)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
