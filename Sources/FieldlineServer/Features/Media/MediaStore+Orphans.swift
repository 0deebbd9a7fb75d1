import Foundation
import NIOPosix

/// What the orphan sweep (`OrphanMediaSweep`) asks of a media store: the stored files older than
/// a moment, a careful removal, and the spool's leftovers.
protocol SweepableMediaStore: MediaStore {
    /// SHA-256 names of stored files last written before `cutoff`, in name order after `after`,
    /// at most `limit`.
    func files(writtenBefore cutoff: Date, after: String?, limit: Int) async throws -> [String]
    /// Removes the file unless it was written again since `cutoff` (then it is in use); whether it was removed.
    func remove(sha256: String, ifWrittenBefore cutoff: Date) async throws -> Bool
    /// The folder files wait in while they stream in (`tmp/` inside).
    var spoolRoot: URL { get }
}

extension SweepableMediaStore {
    /// Removes spool files last written before `cutoff`: what a crash or a killed process left
    /// behind (a live upload writes its spool continuously). The count removed.
    func removeStaleSpool(writtenBefore cutoff: Date) async throws -> Int {
        let folder = spoolRoot.appendingPathComponent("tmp")
        return try await NIOThreadPool.singleton.runIfActive {
            let files = FileManager.default
            guard let names = try? files.contentsOfDirectory(atPath: folder.path) else { return 0 }
            var removed = 0
            for name in names {
                let path = folder.appendingPathComponent(name).path
                guard let modified = (try? files.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff else { continue }
                if (try? files.removeItem(atPath: path)) != nil { removed += 1 }
            }
            return removed
        }
    }
}

extension FileMediaStore: SweepableMediaStore {
    var spoolRoot: URL { root }

    func files(writtenBefore cutoff: Date, after: String?, limit: Int) async throws -> [String] {
        let objects = root.appendingPathComponent("objects")
        return try await NIOThreadPool.singleton.runIfActive {
            let files = FileManager.default
            func sorted(_ url: URL) -> [String] { ((try? files.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }
            var found: [String] = []
            // objects/ab/cd/<sha256>: names sort the same way at every level, so whole folders before `after` are skipped.
            for first in sorted(objects) where after.map({ first >= $0.prefix(2) }) ?? true {
                for second in sorted(objects.appendingPathComponent(first)) where after.map({ first + second >= $0.prefix(4) }) ?? true {
                    let folder = objects.appendingPathComponent(first).appendingPathComponent(second)
                    for name in sorted(folder) where after.map({ name > $0 }) ?? true {
                        let path = folder.appendingPathComponent(name).path
                        guard let modified = (try? files.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff else { continue }
                        found.append(name)
                        if found.count >= limit { return found }
                    }
                }
            }
            return found
        }
    }

    func remove(sha256: String, ifWrittenBefore cutoff: Date) async throws -> Bool {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return false }
        let file = path(sha256: sha256).path
        return try await NIOThreadPool.singleton.runIfActive {
            // A commit renames a fresh file over it (a new modification time): then it stays.
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
                  modified < cutoff else { return false }
            return unlink(file) == 0
        }
    }
}

extension S3MediaStore: SweepableMediaStore {
    var spoolRoot: URL { URL(fileURLWithPath: spoolDirectory) }

    func files(writtenBefore cutoff: Date, after: String?, limit: Int) async throws -> [String] {
        var found: [String] = []
        var startAfter = after.map { client.key(sha256: $0) }
        while found.count < limit {
            let page = try await client.listObjects(prefix: client.settings.prefix + "objects/", startAfter: startAfter, maxKeys: 1000)
            for object in page where object.lastModified < cutoff {
                let name = String(object.key.split(separator: "/").last ?? "")
                if name.count == 64 { found.append(name) }
                if found.count >= limit { break }
            }
            guard page.count == 1000, let last = page.last else { break }
            startAfter = last.key
        }
        return found
    }

    func remove(sha256: String, ifWrittenBefore cutoff: Date) async throws -> Bool {
        let key = client.key(sha256: sha256)
        // Stored again since it was listed (a commit re-uploads an old object): it stays.
        guard let modified = try await client.lastModified(key), modified < cutoff else { return false }
        try await client.delete(key)
        return true
    }
}
