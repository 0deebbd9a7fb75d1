import Foundation
import Hummingbird
import NIOCore

/// Media in an S3-compatible bucket, keyed like the local store (`objects/ab/cd/<sha256>`).
/// A file is spooled to local disk while it streams in (hashed on the way), then uploaded under
/// its SHA-256 (one PUT, or a multipart upload for large files) unless an identical object is
/// already there. The object appears whole or not at all: S3 never shows a partial PUT or an
/// incomplete multipart upload.
struct S3MediaStore: MediaStore {
    let client: S3Client
    /// Where files wait (`tmp/` inside) while they stream in.
    let spoolDirectory: String

    func begin() async throws -> any MediaUpload {
        S3MediaUpload(client: client, spool: try await SpoolFile.create(in: URL(fileURLWithPath: spoolDirectory).appendingPathComponent("tmp")))
    }

    func body(sha256: String, context: some RequestContext) async throws -> ResponseBody? {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return nil }
        guard let response = try await client.get(client.key(sha256: sha256)) else { return nil }
        return ResponseBody(asyncSequence: response.body)
    }

    func chunks(sha256: String) async throws -> AsyncThrowingStream<ByteBuffer, any Error>? {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return nil }
        guard let response = try await client.get(client.key(sha256: sha256)) else { return nil }
        return S3Client.chunks(response)
    }
}

/// A file on its way to an `S3MediaStore`.
struct S3MediaUpload: SpooledUpload {
    let client: S3Client
    let spool: SpoolFile

    func commit(expectedSHA256: String?) async throws -> StoredMedia {
        let stored = try await spool.finish(expectedSHA256: expectedSHA256)
        let key = client.key(sha256: stored.sha256)
        do {
            // Content-addressed: the same bytes are already there, nothing to send.
            if try await !client.exists(key) {
                try await client.upload(file: spool.path.path, size: stored.size, sha256: stored.sha256, as: key)
            }
        } catch {
            await spool.discard()
            throw error
        }
        await spool.discard()
        return stored
    }
}
