import FieldlineDomain
import Foundation
import PostgresNIO

/// Large rounds: a step offering many subcontractors commits every offer at once but writes the
/// messages (conversations, messages, recipients, their `message.send` rows and stream events)
/// of only the `inline` nearest in its own transaction; the others are marked `delivery_pending`
/// and written after commit by the outbox (`dispatch.deliver`), `chunk` at a time, each chunk in
/// a transaction of its own under the job's row lock, one after another in the same run (not
/// queued behind the `message.send` rows the chunks make). So a broadcast to 10,000 holds the job for
/// inserting 10,000 offers, not 60,000 rows, and the Accepts of the first recipients are not
/// held up behind the rest of the fan-out (docs/dispatch.md, "Large rounds: the fan-out").
enum OfferFanOut {
    /// Offers of a step whose messages are written in the step's own transaction.
    static let inline = 100
    /// Offers whose messages one `dispatch.deliver` transaction writes.
    static let chunk = 1_000

    /// Writes the messages of the job's next `chunk` pending offers, nearest first; returns
    /// whether more are pending. Offers closed meanwhile (taken by another, withdrawn, expired)
    /// are not sent: their mark is only cleared. When more are pending, a `dispatch.deliver` row
    /// due `resumeAfter` seconds from now is kept queued (one per job), so the rest still goes
    /// out if this server stops before its caller writes the next chunk.
    @discardableResult
    static func deliverNext(of jobID: UUID, resumeAfter: Int = 0, _ transaction: TenantTransaction) async throws -> Bool {
        guard let job = try await OfferedJob.lock(jobID, transaction) else { return false }
        let tenantID = transaction.tenantID
        let cleared = try await transaction.query("""
            WITH next AS (
                SELECT id FROM offers WHERE tenant_id = \(tenantID) AND job_id = \(jobID) AND delivery_pending
                ORDER BY distance_m NULLS LAST, id LIMIT \(chunk)
            )
            UPDATE offers o SET delivery_pending = false FROM next
            WHERE o.tenant_id = \(tenantID) AND o.id = next.id
            RETURNING o.id, o.organization_id, o.status IN ('sent', 'delivered', 'read'), o.created_by
            """
        ).collect { try $0.decode((UUID, UUID, Bool, String).self) }
        let more = cleared.count == chunk
        if more { try await queue(jobID, after: resumeAfter, transaction) }
        let open = job.status == .offered ? cleared.filter(\.2) : []
        if !open.isEmpty {
            try await OfferDelivery.send(
                open.map { (id: $0.0, organizationID: $0.1) }, job: job, authorUserID: try await author(open[0].3, transaction), transaction)
        }
        return more
    }

    /// Queues the job's fan-out (`dispatch.deliver`), due in `seconds`, unless one is already due by then.
    static func queue(_ jobID: UUID, after seconds: Int = 0, _ transaction: TenantTransaction) async throws {
        let due = try await transaction.query("SELECT now() + \(seconds) * interval '1 second'").first { try $0.decode(Date.self) }
        try await Outbox.enqueue(
            DeliverOffers.self, .init(jobID: jobID), availableAt: due, duplicates: .skipIfPending(key: "job_id"),
            tenantID: transaction.tenantID, on: transaction.connection, logger: transaction.logger)
    }

    /// The user who broadcast (`created_by` `user:<id>`), as the inline messages name them,
    /// while that user still exists.
    private static func author(_ createdBy: String, _ transaction: TenantTransaction) async throws -> UUID? {
        guard createdBy.hasPrefix("user:"), let id = UUID(uuidString: String(createdBy.dropFirst(5))) else { return nil }
        return try await transaction.query(
            "SELECT id FROM users WHERE tenant_id = \(transaction.tenantID) AND id = \(id)"
        ).first { try $0.decode(UUID.self) }
    }
}
