import Foundation
import NIOCore
import NIOPosix

/// Reading a local file in chunks, off the event loops, without holding it whole in memory.
enum FileChunks {
    static let chunk = 256 * 1024

    /// `length` bytes of the file from `offset` as a stream of chunks.
    static func stream(_ path: String, offset: Int64, length: Int64) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await read(path, offset: offset, length: length) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Calls `each` with successive chunks of `length` bytes of the file from `offset`.
    static func read(_ path: String, offset: Int64, length: Int64, _ each: (ByteBuffer) throws -> Void) async throws {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        var left = length
        while left > 0 {
            try Task.checkCancellation()
            let count = Int(min(Int64(chunk), left))
            let data = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: count) ?? Data() }
            guard !data.isEmpty else { throw CocoaError(.fileReadTooLarge, userInfo: [NSFilePathErrorKey: path]) }
            left -= Int64(data.count)
            try each(ByteBuffer(bytes: data))
        }
    }
}
