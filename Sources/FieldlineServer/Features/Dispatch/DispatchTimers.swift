import FieldlineDomain
import Foundation
import PostgresNIO

/// What the clock does to a job being dispatched, decided under the job's row lock (the lock an
/// acceptance takes, so a timer and an Accept never both win): offers whose time ran out
/// expire, the next wave or candidate goes out, a job nobody took becomes `open` again, and a
/// job whose window ended becomes `expired`. Every decision compares with the database's clock.
enum DispatchTimers {
    /// Brings the job up to date with the clock and queues its next timer (`dispatch.tick`).
    static func reconcile(_ jobID: UUID, _ transaction: TenantTransaction) async throws {
        guard let job = try await OfferedJob.lock(jobID, transaction), job.status == .open || job.status == .offered else { return }
        if try await windowIsOver(jobID, transaction) {
            try await OfferWithdrawal.close(
                of: jobID, .init(), as: "withdrawn", telling: OfferText.withdrawn(orderNumber: job.orderNumber), transaction)
            try await DispatchRound.close(of: jobID, transaction)
            try await setStatus(job, .expired, transaction)
            return
        }
        if job.status == .offered {
            try await OfferWithdrawal.close(
                of: jobID, .init(dueOnly: true), as: "expired", telling: OfferText.expired(orderNumber: job.orderNumber), transaction)
            try await moveOn(job, stepsNow: true, transaction)
        }
        try await DispatchEngine.schedule(jobID, transaction)
    }

    /// After offers closed without a winner (declined, expired, withdrawn): sends the round's
    /// next step when it is due or nobody is left to answer (`stepsNow`; otherwise queues the
    /// timer to do it in a transaction of its own), and when nothing more will be offered and no
    /// offer is open, closes the round and makes the job `open` again (`job.reopened`).
    static func moveOn(_ job: OfferedJob, stepsNow: Bool, _ transaction: TenantTransaction) async throws {
        let open = try await openOffers(of: job.id, transaction)
        if let round = try await DispatchRound.latest(of: job.id, transaction), round.hasNext {
            guard open == 0 || (round.settings.mode == .nearestFirst && round.waveDue) else { return }
            if !stepsNow { return try await DispatchEngine.tickNow(job.id, transaction) }
            if try await DispatchEngine.step(job, round, transaction) { return }
        }
        guard open == 0 else { return }
        try await DispatchRound.close(of: job.id, transaction)
        try await setStatus(job, try await windowIsOver(job.id, transaction) ? .expired : .open, transaction)
    }

    /// How many offers of the job are open.
    static func openOffers(of jobID: UUID, _ transaction: TenantTransaction) async throws -> Int {
        try await transaction.query("""
            SELECT count(*)::int FROM offers
            WHERE tenant_id = \(transaction.tenantID) AND job_id = \(jobID) AND status IN ('sent', 'delivered', 'read')
            """
        ).first { try $0.decode(Int.self) } ?? 0
    }

    /// Whether the job's window has ended.
    private static func windowIsOver(_ jobID: UUID, _ transaction: TenantTransaction) async throws -> Bool {
        try await transaction.query(
            "SELECT coalesce(window_end <= now(), false) FROM jobs WHERE tenant_id = \(transaction.tenantID) AND id = \(jobID)"
        ).first { try $0.decode(Bool.self) } ?? false
    }

    /// Moves the job (open or offered) to `open` or `expired`, with a `job.reopened` or
    /// `job.expired` stream event keyed by the job and in each conversation its latest round reached,
    /// and the business event of the same name (docs/events.md).
    static func setStatus(_ job: OfferedJob, _ status: JobStatus, _ transaction: TenantTransaction) async throws {
        let tenantID = transaction.tenantID
        let round = try await transaction.query("""
            WITH changed AS (
                UPDATE jobs SET status = \(status.rawValue), status_changed_at = now(), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(job.id) AND status <> \(status.rawValue)
                RETURNING id, conversation_id
            )
            SELECT (SELECT max(round) FROM offers WHERE tenant_id = \(tenantID) AND job_id = \(job.id)), changed.conversation_id FROM changed
            """
        ).first { try $0.decode((Int?, UUID?).self) }
        guard let (latest, own) = round else { return }
        try await CitusWrites.jobStatusChanged(
            job.id, to: status, tenantID: transaction.tenantID, connection: transaction.connection, logger: transaction.logger)
        try await BusinessEvents.recordJob(status == .expired ? .jobExpired : .jobReopened, job.id, in: transaction)
        let conversations = try await transaction.query("""
            SELECT DISTINCT r.conversation_id FROM offer_recipients r
            JOIN offers o ON o.tenant_id = r.tenant_id AND o.id = r.offer_id
            WHERE r.tenant_id = \(tenantID) AND o.job_id = \(job.id) AND o.round = \(latest)
            ORDER BY r.conversation_id
            """
        ).collect { try $0.decode(UUID.self) }
        let kind: StreamEventKind = status == .expired ? .jobExpired : .jobReopened
        let data: [String: StreamValue] = [
            "job_id": .id(job.id), "order_number": .string(job.orderNumber), "status": .string(status.rawValue),
            "round": latest.map { .string(String($0)) } ?? .null,
        ]
        // The job's own event first (keyed by the job, in its conversation when it has one),
        // then a notice in each other conversation the round reached.
        let notices = conversations.filter { $0 != own }.map { NewStreamEvent(kind: kind, conversationID: $0, data: data) }
        transaction.stream([NewStreamEvent(kind: kind, conversationID: own, jobID: job.id, data: data)] + notices)
    }
}
