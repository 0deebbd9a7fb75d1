import Crypto
import Foundation
import NIOCore
import NIOPosix

/// A local file that bytes are written to and hashed as they come, before they go to a store.
/// Used by one task at a time; the lock only guards the hash state across thread-pool hops.
final class SpoolFile: @unchecked Sendable {
    let path: URL
    private let handle: FileHandle
    private let lock = NSLock()
    private var hasher = SHA256()
    private var size: Int64 = 0

    private init(path: URL, handle: FileHandle) {
        self.path = path
        self.handle = handle
    }

    /// A new empty file in `folder`.
    static func create(in folder: URL) async throws -> SpoolFile {
        let path = folder.appendingPathComponent("\(UUID().uuidString).part")
        let handle = try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path.path])
            }
            return try FileHandle(forWritingTo: path)
        }
        return SpoolFile(path: path, handle: handle)
    }

    func write(_ buffer: ByteBuffer) async throws {
        let bytes = Data(buffer.readableBytesView)
        lock.withLock {
            hasher.update(data: bytes)
            size += Int64(bytes.count)
        }
        try await NIOThreadPool.singleton.runIfActive { [handle] in try handle.write(contentsOf: bytes) }
    }

    /// Hex SHA-256 of what was written so far.
    func digest() -> String {
        lock.withLock { hasher }.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The path, with everything written so far on disk.
    func flushed() async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { [handle] in try handle.synchronize() }
        return path.path
    }

    /// Closes the file (flushed) and returns its hash and size; a mismatch with `expectedSHA256`
    /// discards it and throws `SHA256Mismatch`.
    func finish(expectedSHA256: String?) async throws -> StoredMedia {
        let (digest, size) = lock.withLock { (hasher.finalize(), self.size) }
        let sha256 = digest.map { String(format: "%02x", $0) }.joined()
        if let expectedSHA256, expectedSHA256 != sha256 {
            await discard()
            throw SHA256Mismatch()
        }
        try await NIOThreadPool.singleton.runIfActive { [handle] in
            try handle.synchronize()
            try handle.close()
        }
        return StoredMedia(sha256: sha256, size: size)
    }

    /// Removes the file.
    func discard() async {
        _ = try? await NIOThreadPool.singleton.runIfActive { [handle, path] in
            try? handle.close()
            try? FileManager.default.removeItem(at: path)
        }
    }
}

/// An upload that spools to a local file while the bytes stream in; only `commit` differs
/// between stores.
protocol SpooledUpload: MediaUpload {
    var spool: SpoolFile { get }
}

extension SpooledUpload {
    func write(_ buffer: ByteBuffer) async throws { try await spool.write(buffer) }

    func spooled() async throws -> String { try await spool.flushed() }

    func digest() -> String { spool.digest() }

    func abort() async { await spool.discard() }
}
