import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Prunes what only grows: stream events, business events (RetentionWorker+Events),
/// finished outbox rows, idempotency keys and expired login counters, once older than
/// `RetentionSettings`, and media files no row names (`OrphanMediaSweep`, at most hourly). Each
/// statement deletes at most
/// `batchSize` rows in a short transaction of its own, so pruning never holds locks for long or
/// bloats one transaction; a pass repeats until nothing old is left. Several instances may prune
/// at once: they delete disjoint or already-deleted rows, which is harmless. Stream events are
/// pruned per tenant under its row-level security, and the tenant's highest pruned id is kept
/// (`stream_retention`), so a stream cursor before it is answered "too old, resync".
struct RetentionWorker: Service {
    let database: Database
    let settings: RetentionSettings
    let logger: Logger
    /// Removes unreferenced media files; nil: media is not swept (tests of the rows alone).
    var mediaSweep: OrphanMediaSweep? = nil
    /// Media is swept at most this often: it walks the whole store.
    static let mediaSweepInterval: Duration = .seconds(3600)

    /// Runs a pass shortly after start, then every `interval`, until graceful shutdown.
    func run() async throws {
        // Off on this instance: wait for shutdown all the same, since a service group stops the
        // whole server when one of its services returns early.
        guard settings.interval > .zero else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            var delay: Duration = .seconds(10)
            var lastMediaSweep: ContinuousClock.Instant?
            while !Task.isCancelled {
                do { try await Task.sleep(for: delay) } catch { return }
                delay = settings.interval
                let sweepMedia = lastMediaSweep.map { ContinuousClock.now - $0 >= Self.mediaSweepInterval } ?? true
                if sweepMedia { lastMediaSweep = .now }
                do {
                    let pruned = try await prune(sweepingMedia: sweepMedia)
                    if pruned.total > 0 { logger.info("retention pruned old rows", metadata: pruned.metadata) }
                } catch where Task.isCancelled {
                    return
                } catch {
                    logger.warning("retention pass failed; retrying at the next one", metadata: ["error": .string(error.logDescription)])
                }
            }
        }
    }

    /// Rows deleted by one pass, by kind.
    struct Pruned: Sendable, Equatable {
        var streamEvents = 0
        var events = 0
        var outbox = 0
        var idempotencyKeys = 0
        var loginCounters = 0
        /// Media files no row names (and spool leftovers).
        var mediaFiles = 0
        var total: Int { streamEvents + events + outbox + idempotencyKeys + loginCounters + mediaFiles }
        var metadata: Logger.Metadata {
            ["stream_events": "\(streamEvents)", "events": "\(events)", "outbox": "\(outbox)", "idempotency_keys": "\(idempotencyKeys)",
             "login_counters": "\(loginCounters)", "media_files": "\(mediaFiles)"]
        }
    }

    /// One full pass: everything old, in batches; unreferenced media files too when `sweepingMedia`.
    func prune(sweepingMedia: Bool = true) async throws -> Pruned {
        var pruned = Pruned()
        let tenants = try await database.client.query("SELECT id FROM tenants ORDER BY id", logger: logger).collect { try $0.decode(UUID.self) }
        for tenantID in tenants {
            pruned.streamEvents += try await repeatBatches { try await pruneStreamEvents(of: tenantID) }
            pruned.events += try await repeatBatches { try await pruneEvents(of: tenantID) }
            pruned.idempotencyKeys += try await repeatBatches { try await pruneIdempotencyKeys(of: tenantID) }
        }
        pruned.outbox += try await repeatBatches { try await pruneOutbox() }
        pruned.loginCounters += try await pruneLoginCounters()
        if sweepingMedia, let mediaSweep { pruned.mediaFiles = try await mediaSweep.sweep() }
        return pruned
    }

    /// Runs `batch` until it deletes less than a full batch; the total deleted.
    private func repeatBatches(_ batch: () async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let deleted = try await batch()
            total += deleted
            if deleted < settings.batchSize { return total }
        }
    }

    /// Whole seconds of an age, for SQL intervals.
    func seconds(_ age: Duration) -> Double { Double(age.components.seconds) }

    /// The tenant's oldest events (by id, a bounded index range) that are older than the age.
    private func pruneStreamEvents(of tenantID: UUID) async throws -> Int {
        try await database.withTenant(tenantID) { connection in
            let newest = try await connection.query("""
                WITH oldest AS (
                    SELECT id FROM stream_events WHERE tenant_id = \(tenantID) ORDER BY id LIMIT \(settings.batchSize)
                ), deleted AS (
                    DELETE FROM stream_events e USING oldest o
                    WHERE e.tenant_id = \(tenantID) AND e.id = o.id
                      AND e.created_at < now() - \(seconds(settings.streamEvents)) * interval '1 second'
                    RETURNING e.id
                )
                SELECT count(*)::int, max(id) FROM deleted
                """, logger: logger
            ).first { try $0.decode((Int, Int64?).self) }
            guard let (count, through) = newest.flatMap({ row in row.1.map { (row.0, $0) } }) else { return 0 }
            // pruned_at from its default (now(), the same value): Citus refuses now() in an ON CONFLICT update.
            try await connection.query("""
                INSERT INTO stream_retention (tenant_id, pruned_through) VALUES (\(tenantID), \(through))
                ON CONFLICT (tenant_id) DO UPDATE
                SET pruned_through = greatest(stream_retention.pruned_through, excluded.pruned_through), pruned_at = excluded.pruned_at
                """, logger: logger)
            return count
        }
    }

    private func pruneIdempotencyKeys(of tenantID: UUID) async throws -> Int {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                WITH old AS (
                    SELECT principal, key FROM idempotency_keys
                    WHERE tenant_id = \(tenantID) AND created_at < now() - \(seconds(settings.idempotencyKeys)) * interval '1 second'
                    LIMIT \(settings.batchSize)
                ), deleted AS (
                    DELETE FROM idempotency_keys k USING old o
                    WHERE k.tenant_id = \(tenantID) AND k.principal = o.principal AND k.key = o.key
                    RETURNING 1
                )
                SELECT count(*)::int FROM deleted
                """, logger: logger
            ).first { try $0.decode(Int.self) } ?? 0
        }
    }

    /// Done rows past their age, then dead rows past theirs (the outbox is global: no tenant).
    private func pruneOutbox() async throws -> Int {
        try await database.client.query("""
            WITH old AS (
                (SELECT id FROM outbox WHERE done_at < now() - \(seconds(settings.outboxDone)) * interval '1 second'
                 ORDER BY done_at LIMIT \(settings.batchSize))
                UNION
                (SELECT id FROM outbox WHERE dead_at < now() - \(seconds(settings.outboxDead)) * interval '1 second'
                 ORDER BY dead_at LIMIT \(settings.batchSize))
            ), deleted AS (
                DELETE FROM outbox WHERE id IN (SELECT id FROM old) RETURNING 1
            )
            SELECT count(*)::int FROM deleted
            """, logger: logger
        ).first { try $0.decode(Int.self) } ?? 0
    }

    /// Login counters whose window and wait are over, and addresses not signed in from for 90 days.
    private func pruneLoginCounters() async throws -> Int {
        let counters = try await database.client.query("""
            WITH deleted AS (
                DELETE FROM login_throttle
                WHERE window_start < now() - interval '1 day' AND coalesce(next_attempt_at, '-infinity') < now()
                RETURNING 1
            )
            SELECT count(*)::int FROM deleted
            """, logger: logger
        ).first { try $0.decode(Int.self) } ?? 0
        let addresses = try await database.client.query("""
            WITH deleted AS (
                DELETE FROM login_known_addresses WHERE last_login_at < now() - interval '90 days' RETURNING 1
            )
            SELECT count(*)::int FROM deleted
            """, logger: logger
        ).first { try $0.decode(Int.self) } ?? 0
        return counters + addresses
    }
}
