import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// Runs the outbox: claims due rows (any tenant), performs each with the job its topic names in
/// the `registry`, and retries with backoff or dead-letters after `maxAttempts`. Any number of
/// workers, on any number of server instances, can run at once: claims skip rows another worker holds.
struct OutboxWorker: Service {
    let store: OutboxStore
    let registry: OutboxRegistry
    let maxAttempts: Int
    /// How long a claimed row is this worker's (`OUTBOX_LEASE_SECONDS`).
    var lease: Duration = .seconds(60)
    let pollInterval: Duration
    /// How long a claim may take before the worker gives up on it and claims again.
    var claimTimeout: Duration = .seconds(15)
    /// Most rows performed at once.
    var concurrency = 32
    let logger: Logger

    /// Claims and performs due rows until shutdown.
    func run() async throws {
        // Shutdown cancels the sleeps below; that is the normal way out, not an error.
        do {
            try await loop()
        } catch is CancellationError {
            return
        }
    }

    /// Claim, perform, and sleep when there is nothing due. Up to `concurrency` rows run at
    /// once, and a free slot is filled as soon as one finishes: a slow row (a webhook to an
    /// endpoint that hangs until its timeout) holds only its own slot, never the rows claimed
    /// with it.
    private func loop() async throws {
        await cancelWhenGracefulShutdown {
            // Each child says whether it was a row (true) or the idle timer (false).
            await withTaskGroup(of: Bool.self) { group in
                var running = 0
                var ticking = false
                while !Task.isCancelled {
                    if running < concurrency {
                        do {
                            // Bounded: a claim sent on a connection that died as PostgreSQL
                            // restarted may never be answered, and the worker would claim nothing
                            // more until a restart (`bench/run-faults pg-restart` saw it). An
                            // abandoned claim that still lands only leases rows until their lease ends.
                            let store = store, lease = lease, limit = min(20, concurrency - running)
                            let items = try await withDeadline(claimTimeout) { try await store.claim(limit: limit, lease: lease) }
                            for item in items {
                                group.addTask { await processBounded(item); return true }
                            }
                            running += items.count
                            if !items.isEmpty, running < concurrency { continue }
                        } catch {
                            logger.warning("outbox claim failed (retrying in 1 s): \(String(reflecting: error))")
                            try? await Task.sleep(for: .seconds(1))
                            continue
                        }
                    }
                    if !ticking {
                        ticking = true
                        let interval = pollInterval
                        group.addTask { try? await Task.sleep(for: interval); return false }
                    }
                    guard let finished = await group.next() else { continue }
                    if finished { running -= 1 } else { ticking = false }
                }
                group.cancelAll()
            }
        }
    }

    /// Performs one row in its slot for at most its lease and 30 s. Work still running then (a
    /// send stuck in a dependency that ignores cancellation, as across a PostgreSQL restart) gives
    /// its slot back and is left to the lease: another claim retries the row.
    private func processBounded(_ item: OutboxItem) async {
        let finished = await waitAtMost(lease + .seconds(30)) { await process(item) }
        if !finished, !Task.isCancelled {
            logger.error("outbox row did not finish within its lease and 30 s; it is retried after the lease",
                         metadata: ["id": "\(item.id)", "topic": "\(item.topic)"])
        }
    }

    /// Performs one claimed row; a failure is retried or dead-lettered. An unknown topic or an
    /// unreadable payload dies at once (see `OutboxRegistry.run(for:)`).
    func process(_ item: OutboxItem) async {
        let run: OutboxRun
        do {
            run = try registry.run(for: item)
        } catch {
            return await failed(item, nil, error)
        }
        do {
            try await renewingLease(of: item) { try await run.perform() }
        } catch {
            await failed(item, run, error)
        }
    }

    /// Performs `work` while renewing `item`'s lease every third of it. A send slower than the
    /// lease (a loaded machine, a slow provider) would otherwise be claimed and sent again by
    /// another worker while the first is still at it (`bench/run-faults kill-two` saw it). It
    /// stops renewing after the lease and 30 s, as `processBounded` stops waiting: work stuck
    /// longer is left to the lease. The renewals end before the bookkeeping of a failure starts.
    private func renewingLease(of item: OutboxItem, _ work: @escaping @Sendable () async throws -> Void) async throws {
        let store = store, lease = lease, logger = logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let until = ContinuousClock.now + lease + .seconds(30)
                while ContinuousClock.now < until {
                    do { try await Task.sleep(for: lease / 3) } catch { return }
                    do {
                        guard try await withDeadline(lease, { try await store.renew(item, lease: lease) }) else { return }
                    } catch {
                        logger.warning("outbox lease renewal failed: \(String(reflecting: error))", metadata: ["id": "\(item.id)"])
                    }
                }
            }
            defer { group.cancelAll() }
            try await work()
        }
    }

    /// Schedules the retry or dead-letters the row, with the job's bookkeeping (none when no job could run it).
    private func failed(_ item: OutboxItem, _ run: OutboxRun?, _ error: any Error) async {
        // Shutting down cut the work short: that is no verdict on the row (it must not count
        // as its last attempt), so leave it to its lease and the next worker.
        if Task.isCancelled { return }
        let failure = error as? SendFailure ?? .transient(String(describing: error), retryAfter: nil)
        do {
            switch failure {
            case .transient(let reason, let retryAfter) where item.attempts < maxAttempts:
                let delay = RetryPolicy.delay(afterAttempt: item.attempts, retryAfter: retryAfter)
                logger.info("outbox retry", metadata: ["id": "\(item.id)", "attempt": "\(item.attempts)", "reason": "\(reason)"])
                try await store.retry(item.id, after: delay, error: reason)
                try await run?.retrying(reason)
            default:
                logger.warning("outbox dead letter", metadata: ["id": "\(item.id)", "topic": "\(item.topic)", "reason": "\(failure.description)"])
                try await run?.died(failure.description)
                try await store.deadLetter(item.id, error: failure.description)
            }
        } catch {
            // The lease runs out and the row is tried again; nothing is lost.
            logger.error("outbox bookkeeping failed: \(error)")
        }
    }
}
