import Foundation
import Logging
import PostgresNIO

/// Removes media files that no media row names (`RetentionWorker`, at most once an hour per
/// instance): a sandbox photo uploaded but never sent, a file stored just before its request
/// failed, what a crash left in the spool. A file is removed only once it is older than
/// `age` and unreferenced in every tenant, and only if it was not written again meanwhile, so a
/// file on its way into a row (stored moments before the row commits) is never taken.
struct OrphanMediaSweep: Sendable {
    let database: Database
    let store: any SweepableMediaStore
    /// How long an unreferenced file is kept (`MEDIA_ORPHAN_HOURS`).
    let age: Duration
    let batchSize: Int
    let logger: Logger

    /// One sweep: the store's old files in batches, each checked against every tenant's media;
    /// then the spool's leftovers. The count of files removed. `now` is the moment ages count from.
    func sweep(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(age.components.seconds))
        let tenants = try await database.client.query("SELECT id FROM tenants ORDER BY id", logger: logger).collect { try $0.decode(UUID.self) }
        var removed = 0
        var after: String?
        while true {
            try Task.checkCancellation()
            let candidates = try await store.files(writtenBefore: cutoff, after: after, limit: batchSize)
            guard let last = candidates.last else { break }
            after = last
            var referenced = Set<String>()
            for tenantID in tenants { referenced.formUnion(try await references(among: candidates, in: tenantID)) }
            for sha256 in candidates where !referenced.contains(sha256) {
                if try await store.remove(sha256: sha256, ifWrittenBefore: cutoff) { removed += 1 }
            }
            if candidates.count < batchSize { break }
        }
        return removed + (try await store.removeStaleSpool(writtenBefore: cutoff))
    }

    /// The candidates a media row of the tenant names: a stored file's SHA-256, or a sandbox
    /// photo still waiting to be fetched (its provider media id is the SHA-256).
    private func references(among candidates: [String], in tenantID: UUID) async throws -> [String] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT sha256 FROM media WHERE tenant_id = \(tenantID) AND sha256 = ANY(\(candidates))
                UNION
                SELECT provider_media_id FROM media
                WHERE tenant_id = \(tenantID) AND status = 'pending' AND provider_media_id = ANY(\(candidates))
                """, logger: logger
            ).collect { try $0.decode(String.self) }
        }
    }
}
