import Foundation
import PostgresNIO

/// `dispatch.tick`: a job's dispatch timer, queued due at the job's next deadline (an offer's
/// expiry, the next wave, the end of its window; docs/dispatch.md). Running it brings the job up
/// to date with the clock under the job's row lock and queues the next one; a tick that finds
/// nothing due does nothing, so early, late or repeated ticks are harmless. Nothing to undo when
/// it dies: the next change of the job queues a new timer.
struct DispatchTick: OutboxJob {
    static let topic = "dispatch.tick"

    /// The job whose timers to run.
    struct Payload: Codable, Sendable, Equatable {
        let jobID: UUID

        /// The stored key (`skipIfPending` de-duplicates by it).
        enum CodingKeys: String, CodingKey { case jobID = "job_id" }
    }

    let database: Database

    /// Runs the job's due timers, in one tenant transaction with the row's completion.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await database.withTenantTransaction(item.tenantID) { transaction in
            try await OutboxStore.complete(item.id, on: transaction.connection, logger: transaction.logger)
            try await DispatchTimers.reconcile(payload.jobID, transaction)
        }
    }
}
