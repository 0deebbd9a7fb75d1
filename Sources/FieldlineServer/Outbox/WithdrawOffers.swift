import Foundation
import PostgresNIO

/// `dispatch.withdraw`: after an Accept won a job whose round has many other open offers,
/// withdraws them (and tells their recipients, through `dispatch.notices`) in a transaction of
/// its own, under the job's row lock, as the member who accepted (`OfferWithdrawal.withdrawOthers`).
/// Running it twice withdraws nothing twice (only open offers are closed). Nothing to undo when it
/// dies: Accepts of those offers are still answered "already taken"; make the row due again.
struct WithdrawOffers: OutboxJob {
    static let topic = "dispatch.withdraw"

    /// The job, the offer that won it and its round, and the member who accepted.
    struct Payload: Codable, Sendable, Equatable {
        let jobID: UUID
        let offerID: UUID
        let round: Int
        let memberID: UUID

        /// The stored keys.
        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case offerID = "offer_id"
            case round
            case memberID = "member_id"
        }
    }

    let database: Database

    /// Withdraws the round's other open offers, in one tenant transaction with the row's completion.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await database.withTenantTransaction(item.tenantID) { transaction in
            try await OutboxStore.complete(item.id, on: transaction.connection, logger: transaction.logger)
            guard try await OfferedJob.lock(payload.jobID, transaction) != nil else { return }
            try await transaction.actor("member:\(payload.memberID.uuidString.lowercased())")
            try await OfferWithdrawal.withdrawTaken(of: payload.jobID, keeping: payload.offerID, round: payload.round, transaction)
        }
    }
}
