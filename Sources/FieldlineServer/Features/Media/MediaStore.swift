import Crypto
import Foundation
import Hummingbird
import NIOCore
import NIOPosix

/// Where media bytes live, addressed by their SHA-256 (equal files are stored once). The
/// filesystem implementation is the default; an S3-compatible store can implement the same.
protocol MediaStore: Sendable {
    /// Starts writing a new file; `commit` makes it visible under its SHA-256, `abort` discards it.
    func begin() async throws -> any MediaUpload
    /// A streaming response body of the file with this SHA-256, or nil when it is not stored.
    func body(sha256: String, context: some RequestContext) async throws -> ResponseBody?
    /// The bytes of the file with this SHA-256 as a stream of chunks, or nil when it is not stored.
    func chunks(sha256: String) async throws -> AsyncThrowingStream<ByteBuffer, any Error>?
    /// The size and first `count` bytes of the file with this SHA-256, or nil when it is not stored.
    func head(sha256: String, count: Int) async throws -> (size: Int64, bytes: [UInt8])?
}

/// One file being written to a `MediaStore` by one task.
protocol MediaUpload: Sendable {
    /// Appends bytes (hashing them as they go).
    func write(_ buffer: ByteBuffer) async throws
    /// A local file holding every byte written so far (flushed), for inspecting the file before
    /// it is committed; it goes away with `commit` or `abort`.
    func spooled() async throws -> String
    /// Lowercase hex SHA-256 of the bytes written so far.
    func digest() -> String
    /// Finishes the file and stores it under its SHA-256; when `expectedSHA256` (hex) is given and
    /// differs, the file is discarded and `SHA256Mismatch` thrown instead.
    func commit(expectedSHA256: String?) async throws -> StoredMedia
    /// Discards what was written.
    func abort() async
}

/// The bytes written are not the file the provider announced (a truncated or altered download).
struct SHA256Mismatch: Error, CustomStringConvertible {
    var description: String { "the SHA-256 of the bytes received does not match the provider's" }
}

/// Media on local disk under one directory: `objects/ab/cd/<sha256>`, written to `tmp/` first,
/// flushed, then renamed into place, so a reader never sees a partial file.
struct FileMediaStore: MediaStore {
    let root: URL

    init(directory: String) {
        root = URL(fileURLWithPath: directory, isDirectory: true)
    }

    /// Where the file with `sha256` (lowercase hex) is stored.
    func path(sha256: String) -> URL {
        let start = sha256.startIndex
        let first = String(sha256[start..<sha256.index(start, offsetBy: 2)])
        let second = String(sha256[sha256.index(start, offsetBy: 2)..<sha256.index(start, offsetBy: 4)])
        return root.appendingPathComponent("objects/\(first)/\(second)/\(sha256)")
    }

    func begin() async throws -> any MediaUpload {
        FileMediaUpload(store: self, spool: try await SpoolFile.create(in: root.appendingPathComponent("tmp")))
    }

    func body(sha256: String, context: some RequestContext) async throws -> ResponseBody? {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return nil }
        let file = path(sha256: sha256)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try await FileIO().loadFile(path: file.path, context: context)
    }

    func chunks(sha256: String) async throws -> AsyncThrowingStream<ByteBuffer, any Error>? {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return nil }
        let file = path(sha256: sha256).path
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber else { return nil }
        return FileChunks.stream(file, offset: 0, length: size.int64Value)
    }

    func head(sha256: String, count: Int) async throws -> (size: Int64, bytes: [UInt8])? {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return nil }
        let file = path(sha256: sha256)
        return try await NIOThreadPool.singleton.runIfActive { () throws -> (size: Int64, bytes: [UInt8])? in
            guard let handle = FileHandle(forReadingAtPath: file.path) else { return nil }
            defer { try? handle.close() }
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            let bytes = try handle.read(upToCount: count) ?? Data()
            return (Int64(size), [UInt8](bytes))
        }
    }
}

/// A file being written into a `FileMediaStore`: spooled under `tmp/`, flushed, then renamed
/// into place (rename(2) is atomic), and the folder flushed so the rename survives a crash.
struct FileMediaUpload: SpooledUpload {
    let store: FileMediaStore
    let spool: SpoolFile

    func commit(expectedSHA256: String?) async throws -> StoredMedia {
        let stored = try await spool.finish(expectedSHA256: expectedSHA256)
        let destination = store.path(sha256: stored.sha256)
        try await NIOThreadPool.singleton.runIfActive { [spool] in
            let files = FileManager.default
            try files.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            // An identical file stored concurrently is simply replaced by the same bytes.
            guard rename(spool.path.path, destination.path) == 0 else {
                let code = errno
                try? files.removeItem(at: spool.path)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path, "errno": code])
            }
            let folder = open(destination.deletingLastPathComponent().path, O_RDONLY)
            if folder >= 0 {
                _ = fsync(folder)
                close(folder)
            }
        }
        return stored
    }
}

extension AppConfig {
    /// The one place the media store is chosen: an S3-compatible store when `MEDIA_STORE=s3`
    /// (spooling under `MEDIA_DIR/tmp`), else local disk under `MEDIA_DIR`.
    func makeMediaStore() -> any MediaStore {
        if let mediaS3 {
            return S3MediaStore(client: S3Client(settings: mediaS3, http: .shared), spoolDirectory: mediaDir)
        }
        return FileMediaStore(directory: mediaDir)
    }
}

extension MediaStore {
    /// Reads the whole file through `chunks` to learn its size; stores that can ask for the size
    /// and a byte range directly (the file store) implement `head` themselves.
    func head(sha256: String, count: Int) async throws -> (size: Int64, bytes: [UInt8])? {
        guard let chunks = try await chunks(sha256: sha256) else { return nil }
        var size: Int64 = 0
        var bytes: [UInt8] = []
        for try await var chunk in chunks {
            size += Int64(chunk.readableBytes)
            if bytes.count < count, let more = chunk.readBytes(length: min(count - bytes.count, chunk.readableBytes)) {
                bytes += more
            }
        }
        return (size, bytes)
    }
}
