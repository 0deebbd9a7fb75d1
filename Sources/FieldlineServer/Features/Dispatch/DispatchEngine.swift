import FieldlineDomain
import Foundation
import PostgresNIO

/// Runs a broadcast round under the job's row lock: sends its steps (everyone at once, a wave,
/// or the next single candidate) and keeps the job's timer (a `dispatch.tick` outbox row due at
/// its next deadline). See docs/dispatch.md, "Modes and timers".
enum DispatchEngine {
    /// Starts round `round` of `job` over the ranked, reachable `candidates`: stores it and sends
    /// its first step. Returns the offers it created, nearest first.
    static func start(
        _ job: OfferedJob, round: Int, settings: AllocationSettings, candidates: [Candidate], createdBy: String,
        authorUserID: UUID?, _ transaction: TenantTransaction
    ) async throws -> [CreatedOffer] {
        try await DispatchRound.insert(job.id, round: round, settings: settings, candidates: candidates, createdBy: createdBy, transaction)
        let step = Allocation.first(distances: candidates.map(\.distanceM), settings)
        let offered = Array(candidates.prefix(step.count)).map { ($0.organizationId, $0.distanceM) }
        let created = try await send(
            offered, of: job, round: round, wave: step.wave, timeout: settings.offerTimeoutSeconds, createdBy: createdBy,
            authorUserID: authorUserID, transaction)
        let more = Allocation.hasNext(distances: candidates.map(\.distanceM), considered: step.count, wave: step.wave, radiusM: step.radiusM, settings)
        try await DispatchRound.advance(
            job.id, round: round, considered: step.count, wave: step.wave, radiusM: step.radiusM,
            nextWaveIn: settings.mode == .nearestFirst && more ? settings.waveIntervalSeconds : nil, transaction)
        try await schedule(job.id, transaction)
        return created
    }

    /// Sends the round's next step, if it has one; false when nothing more will be offered.
    static func step(_ job: OfferedJob, _ round: DispatchRound, _ transaction: TenantTransaction) async throws -> Bool {
        guard !round.closed, let step = Allocation.next(
            distances: round.distances, considered: round.considered, wave: round.wave, radiusM: round.radiusM, round.settings)
        else { return false }
        let range = round.considered..<(round.considered + step.count)
        let offered = range.map { (round.candidateIDs[$0], round.distances[$0]) }
        _ = try await send(offered, of: job, round: round.round, wave: step.wave, timeout: round.settings.offerTimeoutSeconds,
                           createdBy: round.createdBy, authorUserID: nil, transaction)
        let considered = range.upperBound
        let more = Allocation.hasNext(distances: round.distances, considered: considered, wave: step.wave, radiusM: step.radiusM, round.settings)
        try await DispatchRound.advance(
            job.id, round: round.round, considered: considered, wave: step.wave, radiusM: step.radiusM,
            nextWaveIn: round.settings.mode == .nearestFirst && more ? round.settings.waveIntervalSeconds : nil, transaction)
        return true
    }

    /// Creates one offer per subcontractor (nearest first), each open for `timeout` seconds, in
    /// one statement, and sends the first `OfferFanOut.inline` of them in a few more; the others
    /// are marked pending and go out after commit (`OfferFanOut`, `dispatch.deliver`).
    private static func send(
        _ offered: [(UUID, Double)], of job: OfferedJob, round: Int, wave: Int, timeout: Int, createdBy: String,
        authorUserID: UUID?, _ transaction: TenantTransaction
    ) async throws -> [CreatedOffer] {
        guard !offered.isEmpty else { return [] }
        let offers = offered.map { (id: UUIDv7.make(), organizationID: $0.0) }
        let pending = offers.indices.map { $0 >= OfferFanOut.inline }
        // Their creation rows of the case timeline too, here rather than by a trigger per row
        // (sql/125): this is the only statement that creates offers.
        _ = try await transaction.query("""
            WITH inserted AS (
                INSERT INTO offers (tenant_id, id, job_id, organization_id, round, wave, distance_m, expires_at, created_by, delivery_pending)
                SELECT \(transaction.tenantID), o.id, \(job.id), o.organization_id, \(round), \(wave), o.distance,
                       now() + \(timeout) * interval '1 second', \(createdBy), o.pending
                FROM unnest(\(offers.map(\.id))::uuid[], \(offers.map(\.organizationID))::uuid[], \(offered.map(\.1))::float8[], \(pending)::bool[])
                    AS o(id, organization_id, distance, pending)
                RETURNING tenant_id, job_id, id, status, organization_id
            )
            INSERT INTO job_history (tenant_id, job_id, offer_id, to_status, organization_id, actor)
            SELECT tenant_id, job_id, id, status, organization_id, fieldline_actor() FROM inserted\(unescaped: CitusWrites.returning("id"))
            """).collect()
        if offers.count > OfferFanOut.inline { try await OfferFanOut.queue(job.id, transaction) }
        try await OfferDelivery.send(Array(offers.prefix(OfferFanOut.inline)), job: job, authorUserID: authorUserID, transaction)
        return zip(offers, zip(offered, pending)).map {
            CreatedOffer(id: $0.id, organizationID: $0.organizationID, distanceM: $1.0.1, wave: wave, pending: $1.1)
        }
    }

    /// Queues the job's timer at its next deadline — the first open offer's expiry, the next
    /// wave, or the end of the window of a job still to be taken — unless one is already due
    /// by then.
    static func schedule(_ jobID: UUID, _ transaction: TenantTransaction) async throws {
        let tenantID = transaction.tenantID
        let due = try await transaction.query("""
            SELECT least(
                (SELECT min(o.expires_at) FROM offers o WHERE o.tenant_id = \(tenantID) AND o.job_id = \(jobID)
                   AND o.status IN ('sent', 'delivered', 'read')),
                (SELECT min(r.next_wave_at) FROM dispatch_rounds r WHERE r.tenant_id = \(tenantID) AND r.job_id = \(jobID)
                   AND r.closed_at IS NULL),
                (SELECT j.window_end FROM jobs j WHERE j.tenant_id = \(tenantID) AND j.id = \(jobID) AND j.status IN ('open', 'offered')))
            """
        ).first { try $0.decode(Date?.self) } ?? nil
        guard let due else { return }
        try await Outbox.enqueue(
            DispatchTick.self, .init(jobID: jobID), availableAt: due, duplicates: .skipIfPending(key: "job_id"),
            tenantID: tenantID, on: transaction.connection, logger: transaction.logger)
    }

    /// Queues the job's timer now, so the round moves on after this transaction (a decline in
    /// `one_by_one` offers the next candidate in a transaction of its own).
    static func tickNow(_ jobID: UUID, _ transaction: TenantTransaction) async throws {
        try await Outbox.enqueue(
            DispatchTick.self, .init(jobID: jobID), duplicates: .skipIfPending(key: "job_id"),
            tenantID: transaction.tenantID, on: transaction.connection, logger: transaction.logger)
    }
}

/// An offer a step has just created, as the broadcast's answer needs it.
struct CreatedOffer: Sendable {
    let id: UUID
    let organizationID: UUID
    let distanceM: Double
    let wave: Int
    /// Its messages are left to the fan-out (`delivery_pending`).
    let pending: Bool
}
