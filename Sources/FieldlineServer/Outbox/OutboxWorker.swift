import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// Runs the outbox: claims due rows (any tenant), performs each side effect, and retries with
/// backoff or dead-letters after `maxAttempts`. Any number of workers, on any number of server
/// instances, can run at once: claims skip rows another worker holds.
struct OutboxWorker: Service {
    let store: OutboxStore
    let sender: MessageSender
    let media: MediaFetcher
    let scheduled: ScheduledWork
    let maxAttempts: Int
    let pollInterval: Duration
    let logger: Logger

    func run() async throws {
        // Shutdown cancels the sleeps below; that is the normal way out, not an error.
        do {
            try await loop()
        } catch is CancellationError {
            return
        }
    }

    private func loop() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let items: [OutboxItem]
                do {
                    items = try await store.claim(limit: 20, lease: .seconds(60))
                } catch {
                    logger.warning("outbox claim failed (retrying in 1 s): \(String(reflecting: error))")
                    try await Task.sleep(for: .seconds(1))
                    continue
                }
                if items.isEmpty {
                    try await Task.sleep(for: pollInterval)
                    continue
                }
                await withTaskGroup(of: Void.self) { group in
                    for item in items { group.addTask { await process(item) } }
                }
            }
        }
    }

    func process(_ item: OutboxItem) async {
        do {
            switch item.topic {
            case "message.send":
                try await sender.send(item)
            case let topic where ScheduledWork.topics.contains(topic):
                try await scheduled.perform(item)
            case PostgresMediaRepository.fetchTopic:
                try await media.fetch(item)
            default:
                throw SendFailure.permanent("no handler for outbox topic \(item.topic)")
            }
        } catch {
            await failed(item, error)
        }
    }

    private func failed(_ item: OutboxItem, _ error: any Error) async {
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
                if item.topic == PostgresMediaRepository.fetchTopic { try await media.noteRetry(item, reason: reason) }
            default:
                logger.warning("outbox dead letter", metadata: ["id": "\(item.id)", "reason": "\(failure.description)"])
                if item.topic == PostgresMediaRepository.fetchTopic {
                    try await media.markFailed(item, reason: failure.description)
                } else if item.topic == "message.send" {
                    try await sender.markFailed(item, reason: failure.description)
                }
                try await store.deadLetter(item.id, error: failure.description)
            }
        } catch {
            // The lease runs out and the row is tried again; nothing is lost.
            logger.error("outbox bookkeeping failed: \(error)")
        }
    }
}
