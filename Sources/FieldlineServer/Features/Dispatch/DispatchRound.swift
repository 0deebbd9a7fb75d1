import FieldlineDomain
import Foundation
import PostgresNIO

/// One broadcast round of a job as its timers read it (`dispatch_rounds`): its settings, its
/// ranked candidates and how far it got. Read under the job's row lock, so one change at a time.
struct DispatchRound: Sendable {
    let jobID: UUID
    let round: Int
    let settings: AllocationSettings
    /// Reachable candidates, nearest first, with their distances in metres.
    let candidateIDs: [UUID]
    let distances: [Double]
    /// How many of the candidates were offered so far (always the first ones).
    let considered: Int
    let wave: Int
    let radiusM: Double?
    let nextWaveAt: Date?
    /// Whether `nextWaveAt` has come (by the database's clock).
    let waveDue: Bool
    let closed: Bool
    let createdBy: String

    /// Whether a later step will still offer someone.
    var hasNext: Bool {
        !closed && Allocation.hasNext(distances: distances, considered: considered, wave: wave, radiusM: radiusM, settings)
    }

    /// The job's latest round, or nil (a job never broadcast, or one broadcast before rounds had rows).
    static func latest(of jobID: UUID, _ transaction: TenantTransaction) async throws -> DispatchRound? {
        try await transaction.query("""
            SELECT job_id, round, mode, offer_timeout_seconds, wave_size, wave_interval_seconds, widen_factor, max_waves,
                   candidate_ids, candidate_distances, considered, wave, radius_m, next_wave_at, coalesce(next_wave_at <= now(), false),
                   closed_at IS NOT NULL, created_by
            FROM dispatch_rounds WHERE tenant_id = \(transaction.tenantID) AND job_id = \(jobID)
            ORDER BY round DESC LIMIT 1
            """
        ).first { row in
            let c = try row.decode((UUID, Int, String, Int, Int, Int, Double, Int, [UUID], [Double], Int, Int, Double?, Date?, Bool, Bool, String).self)
            return DispatchRound(
                jobID: c.0, round: c.1,
                settings: AllocationSettings(
                    mode: AllocationMode(rawValue: c.2) ?? .all, offerTimeoutSeconds: c.3, waveSize: c.4,
                    waveIntervalSeconds: c.5, widenFactor: c.6, maxWaves: c.7),
                candidateIDs: c.8, distances: c.9, considered: c.10, wave: c.11, radiusM: c.12, nextWaveAt: c.13,
                waveDue: c.14, closed: c.15, createdBy: c.16)
        }
    }

    /// Stores a new round with nothing offered yet.
    static func insert(
        _ jobID: UUID, round: Int, settings: AllocationSettings, candidates: [Candidate], createdBy: String, _ transaction: TenantTransaction
    ) async throws {
        try await transaction.query("""
            INSERT INTO dispatch_rounds (tenant_id, job_id, round, mode, offer_timeout_seconds, wave_size, wave_interval_seconds,
                                         widen_factor, max_waves, candidate_ids, candidate_distances, created_by)
            VALUES (\(transaction.tenantID), \(jobID), \(round), \(settings.mode.rawValue), \(settings.offerTimeoutSeconds),
                    \(settings.waveSize), \(settings.waveIntervalSeconds), \(settings.widenFactor), \(settings.maxWaves),
                    \(candidates.map(\.organizationId)), \(candidates.map(\.distanceM)), \(createdBy))
            """)
    }

    /// Records a step: `considered` candidates offered so far, the wave and its radius, and when
    /// the next wave goes out (nil: none will by itself).
    static func advance(
        _ jobID: UUID, round: Int, considered: Int, wave: Int, radiusM: Double?, nextWaveIn seconds: Int?, _ transaction: TenantTransaction
    ) async throws {
        // No seconds: no next wave, as now() + NULL is NULL; no CASE, which Citus refuses around now().
        try await transaction.query("""
            UPDATE dispatch_rounds SET considered = \(considered), wave = \(wave), radius_m = \(radiusM),
                next_wave_at = now() + \(seconds)::int * interval '1 second'
            WHERE tenant_id = \(transaction.tenantID) AND job_id = \(jobID) AND round = \(round)
            """)
    }

    /// Closes the job's open rounds: they offer nothing more.
    static func close(of jobID: UUID, _ transaction: TenantTransaction) async throws {
        try await transaction.query("""
            UPDATE dispatch_rounds SET closed_at = now(), next_wave_at = NULL
            WHERE tenant_id = \(transaction.tenantID) AND job_id = \(jobID) AND closed_at IS NULL
            """)
    }
}
