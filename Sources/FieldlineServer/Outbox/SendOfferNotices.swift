import Foundation
import PostgresNIO

/// `dispatch.notices`: tells the recipients of a job's closed offers (withdrawn because another
/// one won or the agent withdrew them, expired) what happened to them, after the closing
/// transaction committed. Queued once per job by `OfferWithdrawal.close`; it writes every notice
/// due for the job in one statement, so an Accept that closes 9,999 other offers holds the job's
/// row lock only for marking them. Running it twice sends nothing twice (each offer's notice is
/// marked sent in the same transaction). Nothing to undo when it dies: the offers stay closed.
struct SendOfferNotices: OutboxJob {
    static let topic = "dispatch.notices"

    /// The job whose closed offers' notices to send.
    struct Payload: Codable, Sendable, Equatable {
        let jobID: UUID

        /// The stored key (`skipIfPending` de-duplicates by it).
        enum CodingKeys: String, CodingKey { case jobID = "job_id" }
    }

    let database: Database

    /// Sends the job's due notices, in one tenant transaction with the row's completion.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await database.withTenantTransaction(item.tenantID) { transaction in
            try await OutboxStore.complete(item.id, on: transaction.connection, logger: transaction.logger)
            try await OfferNotices.send(of: payload.jobID, transaction)
        }
    }
}
