import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// Group commit for inbound messages. Concurrent webhooks hand their messages here; they are
/// stored together, up to `maxBatch` of one tenant per transaction, with at most
/// `maxBatchesPerTenant` transactions of a tenant and `maxBatchesInFlight` in all at once. Each
/// webhook is still answered only after the transaction holding its message has committed, so
/// nothing acknowledged is lost.
///
/// Nobody waits for a batch to fill: a message arriving while its tenant has a batch to spare
/// is stored at once (a batch of one, as fast as before), and messages arriving while the
/// batches are busy gather into the next one, which one commit then serves. Fewer, larger
/// batches cost less per message (one look-up, one store, one commit each): on the benchmark's
/// two cores one batch per tenant at a time held 1,000 messages/s at a third of the p99 latency
/// of four (bench/README.md), while other tenants keep batches of their own. A sender's
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
        var batchesByTenant: [UUID: Int] = [:]
        var batchesInFlight = 0
    }

    private let state = NIOLockedValueBox(State())
    private let store: Store
    /// `ingest_batch_messages`: how many messages each ingest transaction stored.
    private let batchSizes: ValueHistogram?
    /// Most messages stored in one transaction.
    let maxBatch: Int
    /// Most ingest transactions of one tenant running at once.
    let maxBatchesPerTenant: Int
    /// Most ingest transactions running at once (each holds a database connection).
    let maxBatchesInFlight: Int
    /// How long a batch's transaction may take before its webhooks are failed (retried by providers).
    let storeTimeout: Duration

    /// A batcher storing through `store`.
    init(
        maxBatch: Int, maxBatchesPerTenant: Int = 1, maxBatchesInFlight: Int, storeTimeout: Duration = .seconds(15),
        metrics: PrometheusCollectorRegistry? = nil, store: @escaping Store
    ) {
        self.storeTimeout = storeTimeout
        self.maxBatch = max(1, maxBatch)
        self.maxBatchesPerTenant = max(1, maxBatchesPerTenant)
        self.maxBatchesInFlight = max(1, maxBatchesInFlight)
        self.store = store
        batchSizes = metrics?.makeValueHistogram(
            descriptor: MetricNameDescriptor(
                metricName: "ingest_batch", unitName: "messages", helpText: "Inbound messages stored per ingest transaction (group commit)"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
    }

    /// A batcher storing through `pipeline`, recording its batch sizes in `metrics`.
    convenience init(
        pipeline: any InboundIngest, maxBatch: Int, maxBatchesPerTenant: Int, maxBatchesInFlight: Int,
        storeTimeout: Duration, metrics: PrometheusCollectorRegistry
    ) {
        self.init(
            maxBatch: maxBatch, maxBatchesPerTenant: maxBatchesPerTenant, maxBatchesInFlight: maxBatchesInFlight,
            storeTimeout: storeTimeout, metrics: metrics
        ) { messages, tenantID in
            await pipeline.ingest(messages, tenantID: tenantID)
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
            batchSizes?.record(Double(batch.count))
            // Bounded, so a transaction stuck across a PostgreSQL restart cannot hold the
            // tenant's only batch slot for good (`bench/run-faults pg-restart` found that): its
            // webhooks are answered 500 and retried by the provider (stored once, by message id).
            let (messages, tenantID, store) = (batch.map(\.message), batch[0].tenantID, self.store)
            let results = await waitAtMost(storeTimeout) { await store(messages, tenantID) }
                ?? Array(repeating: .failure(IngestTimeoutError()), count: batch.count)
            state.withLockedValue { state in
                for waiting in batch { state.sendersInFlight.remove(waiting.sender) }
                state.batchesByTenant[batch[0].tenantID, default: 1] -= 1
                if state.batchesByTenant[batch[0].tenantID] == 0 { state.batchesByTenant[batch[0].tenantID] = nil }
            }
            for (index, waiting) in batch.enumerated() {
                waiting.continuation.resume(
                    with: index < results.count ? results[index] : .failure(MissingRowError(what: "ingest batch result")))
            }
        }
    }

    /// The oldest waiting messages, at most `maxBatch`, of the first tenant in line with a batch
    /// to spare, whose senders are not in flight; nil (and one flight fewer, in the same critical
    /// section, so a message arriving now starts its own) when there are none. A message held
    /// back by its sender or its tenant is taken by the flight now storing them, when it loops.
    private func takeBatch() -> [Waiting]? {
        state.withLockedValue { state in
            var batch: [Waiting] = []
            var left: [Waiting] = []
            for waiting in state.waiting {
                let fits = if let first = batch.first {
                    first.tenantID == waiting.tenantID
                } else {
                    state.batchesByTenant[waiting.tenantID, default: 0] < maxBatchesPerTenant
                }
                if batch.count < maxBatch, fits, state.sendersInFlight.insert(waiting.sender).inserted {
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
            state.batchesByTenant[batch[0].tenantID, default: 0] += 1
            return batch
        }
    }
}

/// A batch's transaction did not finish within `IngestBatcher.storeTimeout`.
struct IngestTimeoutError: Error, CustomStringConvertible {
    var description: String { "the ingest transaction did not finish in time" }
}
