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
                            let items = try await store.claim(limit: min(20, concurrency - running), lease: lease)
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
            try await run.perform()
        } catch {
            await failed(item, run, error)
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
