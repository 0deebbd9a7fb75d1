import Foundation
import NIOConcurrencyHelpers

/// Group commit for inbound messages. Concurrent webhooks hand their messages here; they are
/// stored together, up to `maxBatch` of one tenant per transaction, with at most
/// `maxBatchesInFlight` transactions at once. Each webhook is still answered only after the
/// transaction holding its message has committed, so nothing acknowledged is lost.
///
/// Nobody waits for a batch to fill: a message arriving while fewer than `maxBatchesInFlight`
/// batches run is stored at once (a batch of one, as fast as before), and messages arriving
/// while they are all busy gather into the next batch, which one commit then serves. A sender's
/// messages never run in two transactions at once, so they land in the order they came and
/// never wait on each other's locks.
final class IngestBatcher: Sendable {
    /// Stores messages of one tenant in one transaction; one result per message, in order.
    typealias Store = @Sendable (_ messages: [InboundMessageInput], _ tenantID: UUID) async -> [Result<IngestResult, any Error>]

    private struct Waiting {
        let message: InboundMessageInput
        let tenantID: UUID
        /// Tenant and sender: at most one transaction at a time holds a sender's messages.
        let sender: String
        let continuation: CheckedContinuation<IngestResult, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var sendersInFlight: Set<String> = []
        var batchesInFlight = 0
    }

    private let state = NIOLockedValueBox(State())
    private let store: Store
    /// Most messages stored in one transaction.
    let maxBatch: Int
    /// Most ingest transactions running at once (each holds a database connection).
    let maxBatchesInFlight: Int

    /// A batcher storing through `store`.
    init(maxBatch: Int, maxBatchesInFlight: Int, store: @escaping Store) {
        self.maxBatch = max(1, maxBatch)
        self.maxBatchesInFlight = max(1, maxBatchesInFlight)
        self.store = store
    }

    /// A batcher storing through `conversations`.
    convenience init(conversations: any ConversationsRepository, maxBatch: Int, maxBatchesInFlight: Int) {
        self.init(maxBatch: maxBatch, maxBatchesInFlight: maxBatchesInFlight) { messages, tenantID in
            await conversations.ingest(messages, tenantID: tenantID)
        }
    }

    /// Messages waiting for a batch, and transactions running: for metrics and tests.
    var backlog: (waiting: Int, batchesInFlight: Int) {
        state.withLockedValue { ($0.waiting.count, $0.batchesInFlight) }
    }

    /// Stores `message` and returns once its transaction has committed.
    func ingest(_ message: InboundMessageInput, tenantID: UUID) async throws -> IngestResult {
        try await withCheckedThrowingContinuation { continuation in
            let startsBatches = state.withLockedValue { state in
                state.waiting.append(Waiting(
                    message: message, tenantID: tenantID, sender: "\(tenantID)\u{0}\(message.senderKey)", continuation: continuation))
                guard state.batchesInFlight < maxBatchesInFlight else { return false }
                state.batchesInFlight += 1
                return true
            }
            // Not a child of the request: a webhook whose client went away still has its
            // message stored, and the batch serves other webhooks too.
            if startsBatches { Task { await self.runBatches() } }
        }
    }

    /// Stores batches until none can be taken, then leaves the flight.
    private func runBatches() async {
        while let batch = takeBatch() {
            let results = await store(batch.map(\.message), batch[0].tenantID)
            state.withLockedValue { state in
                for waiting in batch { state.sendersInFlight.remove(waiting.sender) }
            }
            for (index, waiting) in batch.enumerated() {
                waiting.continuation.resume(
                    with: index < results.count ? results[index] : .failure(MissingRowError(what: "ingest batch result")))
            }
        }
    }

    /// The oldest waiting messages of the first tenant in line whose sender is not in flight,
    /// at most `maxBatch`; nil (and one flight fewer, in the same critical section, so a
    /// message arriving now starts its own) when there are none.
    private func takeBatch() -> [Waiting]? {
        state.withLockedValue { state in
            var batch: [Waiting] = []
            var left: [Waiting] = []
            for waiting in state.waiting {
                if batch.count < maxBatch, batch.first.map({ $0.tenantID == waiting.tenantID }) ?? true,
                   state.sendersInFlight.insert(waiting.sender).inserted {
                    batch.append(waiting)
                } else {
                    left.append(waiting)
                }
            }
            state.waiting = left
            if batch.isEmpty {
                state.batchesInFlight -= 1
                return nil
            }
            return batch
        }
    }
}
