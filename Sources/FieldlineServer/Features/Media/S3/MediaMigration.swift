import AsyncHTTPClient
import Crypto
import Foundation

/// Moves the files of a local media store (`MEDIA_DIR/objects`) into the S3-compatible store,
/// under the same keys: each file is checked against its name (its SHA-256) before it goes up,
/// skipped when the bucket already has it, and removed locally only once it is stored there.
/// Safe to run again after an interruption; the database needs no change (media rows name
/// files by SHA-256, whatever the store).
public enum MediaMigration {
    /// What a run did.
    public struct Summary: Sendable, Equatable {
        public var uploaded = 0
        public var alreadyThere = 0
        /// Files whose bytes do not match their name (left in place, reported).
        public var corrupt: [String] = []
    }

    /// Moves every file under `directory/objects` to the store of `settings`; `keepLocal` leaves
    /// the local copies. `progress` hears about each file.
    public static func moveLocalToS3(
        directory: String, settings: S3Settings, keepLocal: Bool = false, progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> Summary {
        let client = S3Client(settings: settings, http: .shared)
        let root = URL(fileURLWithPath: directory).appendingPathComponent("objects")
        let names = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String]) ?? []
        var summary = Summary()
        for relative in names.sorted() {
            let sha256 = (relative as NSString).lastPathComponent
            guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { continue }
            let file = root.appendingPathComponent(relative)
            let (actual, size) = try await hash(file)
            guard actual == sha256 else {
                summary.corrupt.append(relative)
                progress("corrupt (its bytes hash to \(actual)): \(relative)")
                continue
            }
            let key = client.key(sha256: sha256)
            if try await client.exists(key) {
                summary.alreadyThere += 1
            } else {
                try await client.upload(file: file.path, size: size, sha256: sha256, as: key)
                summary.uploaded += 1
                progress("uploaded \(sha256) (\(size) bytes)")
            }
            if !keepLocal { try FileManager.default.removeItem(at: file) }
        }
        return summary
    }

    private static func hash(_ file: URL) async throws -> (String, Int64) {
        let size = ((try FileManager.default.attributesOfItem(atPath: file.path))[.size] as? NSNumber)?.int64Value ?? 0
        return (try await S3Client.hash(file.path, offset: 0, length: size), size)
    }
}
