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
    /// The size and first `count` bytes of the file with this SHA-256, or nil when it is not stored.
    func head(sha256: String, count: Int) async throws -> (size: Int64, bytes: [UInt8])?
}

/// One file being written to a `MediaStore` by one task.
protocol MediaUpload: Sendable {
    /// Appends bytes (hashing them as they go).
    func write(_ buffer: ByteBuffer) async throws
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
        let temporary = root.appendingPathComponent("tmp/\(UUID().uuidString).part")
        let handle = try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(at: temporary.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
            }
            return try FileHandle(forWritingTo: temporary)
        }
        return FileMediaUpload(store: self, temporary: temporary, handle: handle)
    }

    func body(sha256: String, context: some RequestContext) async throws -> ResponseBody? {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return nil }
        let file = path(sha256: sha256)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try await FileIO().loadFile(path: file.path, context: context)
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

/// A file being written into a `FileMediaStore`. Used by one task at a time (its fetch); the
/// lock only guards the hash state across the thread-pool hops.
final class FileMediaUpload: MediaUpload, @unchecked Sendable {
    private let store: FileMediaStore
    private let temporary: URL
    private let handle: FileHandle
    private let lock = NSLock()
    private var hasher = SHA256()
    private var size: Int64 = 0

    init(store: FileMediaStore, temporary: URL, handle: FileHandle) {
        self.store = store
        self.temporary = temporary
        self.handle = handle
    }

    func write(_ buffer: ByteBuffer) async throws {
        let bytes = Data(buffer.readableBytesView)
        lock.withLock {
            hasher.update(data: bytes)
            size += Int64(bytes.count)
        }
        try await NIOThreadPool.singleton.runIfActive { [handle] in try handle.write(contentsOf: bytes) }
    }

    func commit(expectedSHA256: String?) async throws -> StoredMedia {
        let (digest, size) = lock.withLock { (hasher.finalize(), self.size) }
        let sha256 = digest.map { String(format: "%02x", $0) }.joined()
        if let expectedSHA256, expectedSHA256 != sha256 {
            await abort()
            throw SHA256Mismatch()
        }
        let destination = store.path(sha256: sha256)
        try await NIOThreadPool.singleton.runIfActive { [handle, temporary] in
            try handle.synchronize()
            try handle.close()
            let files = FileManager.default
            try files.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            // rename(2) replaces atomically: an identical file fetched concurrently is simply overwritten.
            guard rename(temporary.path, destination.path) == 0 else {
                let code = errno
                try? files.removeItem(at: temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path, "errno": code])
            }
        }
        return StoredMedia(sha256: sha256, size: size)
    }

    func abort() async {
        _ = try? await NIOThreadPool.singleton.runIfActive { [handle, temporary] in
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}

extension AppConfig {
    /// The one place the media store is chosen: local disk under `MEDIA_DIR` today; an
    /// S3-compatible store plugs in here when it is configured.
    func makeMediaStore() -> any MediaStore {
        FileMediaStore(directory: mediaDir)
    }
}
