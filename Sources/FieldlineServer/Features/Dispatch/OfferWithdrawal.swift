import FieldlineDomain
import Foundation
import PostgresNIO

/// Closing open offers of a job without an answer — withdrawn (another one won, the agent
/// withdrew them, the job left `offered`) or expired (their time ran out). Runs under the job's
/// row lock; the recipients are told after commit (`OfferNotices`, the `dispatch.notices` job).
enum OfferWithdrawal {
    /// Which open offers of the job to close.
    struct Selection: Sendable {
        /// Every open offer but this one.
        var keeping: UUID? = nil
        /// Only this offer.
        var only: UUID? = nil
        /// Only offers whose `expires_at` has passed.
        var dueOnly = false
        /// Close these subcontractors' offers without a message (a re-broadcast offers them anew).
        var silentFor: [UUID] = []
        /// Only offers of this round or earlier ones.
        var throughRound: Int? = nil
    }

    /// After the Accept of `offerID` (of `round`) won the job: withdraws every other open offer
    /// of the round (and earlier ones) and tells their recipients it was taken. A few are
    /// withdrawn at once, in the Accept's transaction; more than `OfferFanOut.inline` are left to
    /// `dispatch.withdraw` right after commit, so the winner does not hold the job (and the
    /// ingest batch its Accept came in) for updating thousands of offers. Nothing needs them
    /// closed sooner: an Accept of a taken job is "already taken" whatever its offer says.
    static func withdrawOthers(
        of jobID: UUID, keeping offerID: UUID, round: Int, answeredBy memberID: UUID, _ transaction: TenantTransaction
    ) async throws {
        let open = try await transaction.query("""
            SELECT count(*)::int FROM (
                SELECT 1 FROM offers WHERE tenant_id = \(transaction.tenantID) AND job_id = \(jobID) AND status IN ('sent', 'delivered', 'read')
                LIMIT \(OfferFanOut.inline + 2)) open
            """
        ).first { try $0.decode(Int.self) } ?? 0
        if open - 1 > OfferFanOut.inline {
            try await Outbox.enqueue(
                WithdrawOffers.self, .init(jobID: jobID, offerID: offerID, round: round, memberID: memberID),
                tenantID: transaction.tenantID, on: transaction.connection, logger: transaction.logger)
            return
        }
        try await withdrawTaken(of: jobID, keeping: offerID, round: round, transaction)
    }

    /// Withdraws the open offers of `round` and earlier but `offerID`, the job having been taken
    /// by that one; their recipients are told so.
    static func withdrawTaken(of jobID: UUID, keeping offerID: UUID, round: Int, _ transaction: TenantTransaction) async throws {
        guard let orderNumber = try await transaction.query(
            "SELECT order_number FROM jobs WHERE tenant_id = \(transaction.tenantID) AND id = \(jobID)"
        ).first({ try $0.decode(String.self) }) else { return }
        try await close(
            of: jobID, Selection(keeping: offerID, throughRound: round), as: "withdrawn",
            telling: OfferText.takenByAnother(orderNumber: orderNumber), transaction)
    }

    /// Withdraws every open offer of the job but `offerID` (all when nil) and tells their recipients `text`.
    static func withdraw(of jobID: UUID, keeping offerID: UUID?, telling text: String, _ transaction: TenantTransaction) async throws {
        _ = try await close(of: jobID, Selection(keeping: offerID), as: "withdrawn", telling: text, transaction)
    }

    /// Closes the selected open offers as `status` (`withdrawn` or `expired`) in one statement,
    /// notes each one's notice (`text`, or none for `silentFor`) in `offer_notices` and queues the job's
    /// `dispatch.notices`, which after commit writes the notices to the recipients' conversations
    /// and the `offer.withdrawn` / `offer.expired` stream events. Expired offers get their
    /// `offer.expired` business event here, in the closing transaction. Returns the closed offers' ids.
    @discardableResult
    static func close(
        of jobID: UUID, _ selection: Selection, as status: String, telling text: String, _ transaction: TenantTransaction
    ) async throws -> [UUID] {
        let tenantID = transaction.tenantID
        let closed = try await transaction.query("""
            WITH closed AS (
                UPDATE offers SET status = \(status), updated_at = now()
                WHERE tenant_id = \(tenantID) AND job_id = \(jobID) AND status IN ('sent', 'delivered', 'read')
                  AND (\(selection.keeping)::uuid IS NULL OR id <> \(selection.keeping))
                  AND (\(selection.only)::uuid IS NULL OR id = \(selection.only))
                  AND (NOT \(selection.dueOnly) OR expires_at <= now())
                  AND (\(selection.throughRound)::int IS NULL OR round <= \(selection.throughRound))
                RETURNING id, organization_id
            ), noted AS (
                INSERT INTO offer_notices (tenant_id, offer_id, job_id, notice)
                SELECT \(tenantID), closed.id, \(jobID),
                       CASE WHEN closed.organization_id = ANY(\(selection.silentFor)::uuid[]) THEN NULL ELSE \(text) END
                FROM closed
                ON CONFLICT DO NOTHING\(unescaped: CitusWrites.returning("offer_id"))
            )
            SELECT id FROM closed
            """
        ).collect { try $0.decode(UUID.self) }
        guard !closed.isEmpty else { return [] }
        try await Outbox.enqueue(
            SendOfferNotices.self, .init(jobID: jobID), duplicates: .skipIfPending(key: "job_id"),
            tenantID: tenantID, on: transaction.connection, logger: transaction.logger)
        if status == "expired" {
            try await BusinessEvents.recordOffers(.offerExpired, closed, in: transaction)
        }
        return closed
    }
}
