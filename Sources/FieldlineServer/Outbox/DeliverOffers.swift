import Foundation
import PostgresNIO

/// `dispatch.deliver`: writes the messages of a large round's pending offers after the
/// broadcast (or the step) that made them committed, a chunk per transaction (`OfferFanOut`). Running it twice sends nothing twice (each offer's mark is cleared
/// in the transaction that writes its messages). Nothing to undo when it dies: the offers stay
/// pending; make the row due again to write them.
struct DeliverOffers: OutboxJob {
    static let topic = "dispatch.deliver"

    /// The job whose pending offers to deliver.
    struct Payload: Codable, Sendable, Equatable {
        let jobID: UUID

        /// The stored key (`skipIfPending` de-duplicates by it).
        enum CodingKeys: String, CodingKey { case jobID = "job_id" }
    }

    let database: Database

    /// Delivers the job's pending offers chunk by chunk, each chunk in a tenant transaction of
    /// its own (the first completes the row), so Accepts get the job's lock between chunks. A run
    /// stops after `budget`; a `dispatch.deliver` row due after the lease carries on from there,
    /// or after a crash.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        let started = ContinuousClock.now
        var completing: Int64? = item.id
        while true {
            let row = completing
            let more = try await database.withTenantTransaction(item.tenantID) { transaction in
                if let row { try await OutboxStore.complete(row, on: transaction.connection, logger: transaction.logger) }
                return try await OfferFanOut.deliverNext(of: payload.jobID, resumeAfter: Self.resumeAfter, transaction)
            }
            completing = nil
            guard more else { return }
            if ContinuousClock.now - started > Self.budget {
                return try await database.withTenantTransaction(item.tenantID) { transaction in
                    try await OfferFanOut.queue(payload.jobID, transaction)
                }
            }
        }
    }

    /// How long one run writes chunks before it hands the rest to a new row.
    static let budget: Duration = .seconds(20)
    /// When the safety row that resumes an interrupted fan-out falls due (past the outbox's lease).
    static let resumeAfter = 90
}
