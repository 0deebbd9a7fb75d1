import FieldlineDomain
import Foundation
import PostgresNIO

/// Broadcasting a job: a new round over its ranked candidates, whose first step goes out in
/// one transaction (everyone in mode `all`, the first wave, or the nearest one).
extension PostgresDispatchRepository {
    func broadcast(_ jobID: UUID, _ request: BroadcastRequest, createdBy: String, viewer: Viewer) async throws -> Broadcast? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            try await transaction.actor(createdBy)
            let settings = try request.settings(over: try await DispatchSettingsStore.load(transaction))
            // The job row is locked until commit: an acceptance takes the same lock (AnswerOffer).
            guard let job = try await OfferedJob.lock(jobID, viewer: viewer, transaction) else { return nil }
            guard job.status == .open else {
                throw APIError.conflict("job_not_open", "only an open job can be broadcast; this one is \(job.status.rawValue)")
            }
            let ranked = try await Self.rankedCandidates(job, request, viewer: viewer, transaction)
            let broadcast = try await Self.startRound(job, ranked, settings: settings, createdBy: createdBy, viewer: viewer, transaction)
            try await BusinessEvents.recordJob(.jobOffered, job.id, in: transaction)
            return broadcast
        }
    }

    /// The job's candidates for a round (those of the request's `organization_ids` when given)
    /// that an offer can reach, nearest first, and those it cannot.
    static func rankedCandidates(
        _ job: OfferedJob, _ request: BroadcastRequest, viewer: Viewer, _ transaction: TenantTransaction
    ) async throws -> RankedCandidates {
        guard let latitude = job.latitude, let longitude = job.longitude else {
            throw APIError.conflict("job_has_no_site", "the job has no latitude and longitude: set them (PATCH /v1/jobs/{id}) to find who covers its site")
        }
        var candidates = try await Self.candidates(
            near: latitude, longitude, tags: job.requiredTags, filter: CandidateFilter(limit: Self.maxOffers), viewer: viewer, transaction)
        if let only = request.organizationIds {
            let known = Set(candidates.map(\.organizationId))
            if let index = only.firstIndex(where: { !known.contains($0) }) {
                throw ValidationError(field: "organization_ids[\(index)]", code: "not_a_candidate",
                                      message: "organization_ids[\(index)] is no subcontractor covering the job's site with its required tags")
            }
            candidates = candidates.filter { only.contains($0.organizationId) }
        }
        guard !candidates.isEmpty else {
            throw APIError.conflict("no_candidates", "no subcontractor covers the job's site with its required tags")
        }
        let left = try await OfferDelivery.unreachable(candidates.map(\.organizationId), transaction)
        let unreachable = candidates.map(\.organizationId).filter { left.contains($0) }
        candidates = candidates.filter { !left.contains($0.organizationId) }
        guard !candidates.isEmpty else {
            throw APIError.conflict("no_reachable_candidates", "none of the candidates has a member with a messaging identity")
        }
        return RankedCandidates(candidates: candidates, unreachable: unreachable)
    }

    /// Starts a new round of the locked `job` (open, or offered when broadcast again) over
    /// `ranked`: sends the first step and moves the job to `offered`.
    static func startRound(
        _ job: OfferedJob, _ ranked: RankedCandidates, settings: AllocationSettings, createdBy: String, viewer: Viewer,
        _ transaction: TenantTransaction
    ) async throws -> Broadcast {
        let (candidates, unreachable) = (ranked.candidates, ranked.unreachable)
        let round = try await nextRound(of: job.id, transaction)
        try await DispatchRound.close(of: job.id, transaction)
        // An earlier round's offers still open (its winner's withdrawal not run yet, the job since
        // reopened by hand) can no longer be answered: a new round never competes with an old one.
        try await OfferWithdrawal.close(
            of: job.id, .init(throughRound: round - 1), as: "withdrawn", telling: OfferText.withdrawn(orderNumber: job.orderNumber), transaction)
        let created = try await DispatchEngine.start(
            job, round: round, settings: settings, candidates: candidates, createdBy: createdBy, authorUserID: viewer.userID, transaction)
        try await transaction.query("""
            UPDATE jobs SET status = 'offered', status_changed_at = now(), updated_at = now()
            WHERE tenant_id = \(transaction.tenantID) AND id = \(job.id) AND status <> 'offered'
            """)
        try await CitusWrites.jobStatusChanged(
            job.id, to: .offered, tenantID: transaction.tenantID, connection: transaction.connection, logger: transaction.logger)
        let offers = try await Self.roundOffers(
            of: job.id, round: round, created, candidates: candidates, createdBy: createdBy, timeout: settings.offerTimeoutSeconds,
            transaction)
        transaction.stream([job.streamEvent(.jobOffered, [
            "round": .string(String(round)), "mode": .string(settings.mode.rawValue), "offers": .string(String(offers.count)),
        ])])
        return Broadcast(
            jobId: job.id, round: round, mode: settings.mode.rawValue, status: JobStatus.offered.rawValue, offers: offers,
            unreachableOrganizationIds: unreachable)
    }

    /// Most offers in one round.
    static let maxOffers = 10_000

    /// The job's next broadcast round.
    private static func nextRound(of jobID: UUID, _ transaction: TenantTransaction) async throws -> Int {
        try await transaction.query(
            "SELECT coalesce(max(round), 0) + 1 FROM offers WHERE tenant_id = \(transaction.tenantID) AND job_id = \(jobID)"
        ).first { try $0.decode(Int.self) } ?? 1
    }

    func offers(of jobID: UUID, viewer: Viewer) async throws -> [Offer]? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            let visible = try await transaction.query(
                "SELECT 1 FROM jobs j WHERE j.tenant_id = \(transaction.tenantID) AND j.id = \(jobID) AND \(visibleJobs: viewer)"
            ).any()
            guard visible else { return nil }
            return try await Self.offers(of: jobID, round: nil, transaction)
        }
    }

    /// A new round's offers for the broadcast's answer, as `offers(of:round:)` lists them: those
    /// sent in this transaction read back with their recipients, and those left to the fan-out
    /// made from what was just inserted (nothing else about them can have changed before commit),
    /// so a round of 10,000 does not read back and decode 10,000 rows
    /// (`OfferFanOutTests` compares the answer with `GET /v1/jobs/{id}/offers`).
    static func roundOffers(
        of jobID: UUID, round: Int, _ created: [CreatedOffer], candidates: [Candidate], createdBy: String, timeout: Int,
        _ transaction: TenantTransaction
    ) async throws -> [Offer] {
        let left = created.filter(\.pending)
        guard !left.isEmpty else { return try await offers(of: jobID, round: round, transaction) }
        let sent = try await transaction.query("""
            SELECT \(columns: Offer.columns, tenant: transaction.tenantID) FROM offers o
            JOIN organizations org ON org.tenant_id = o.tenant_id AND org.id = o.organization_id
            WHERE o.tenant_id = \(transaction.tenantID) AND o.job_id = \(jobID) AND o.round = \(round) AND NOT o.delivery_pending
            """
        ).collect(Offer.init(row:))
        // The same expressions as the insert's defaults, in the same transaction: the same times.
        let (now, expires) = try await transaction.query(
            "SELECT now(), now() + \(timeout) * interval '1 second'"
        ).first { try $0.decode((Date, Date).self) } ?? (Date(), Date())
        let names = Dictionary(candidates.map { ($0.organizationId, $0.name) }, uniquingKeysWith: { first, _ in first })
        let pending = left.map {
            Offer(
                id: $0.id, jobId: jobID, organizationId: $0.organizationID, organizationName: names[$0.organizationID] ?? "",
                round: round, status: "sent", distanceM: ($0.distanceM * 10).rounded() / 10, recipients: [], deliveryPending: true,
                answeredByMemberId: nil, answeredAt: nil, expiresAt: expires, wave: $0.wave, createdBy: createdBy,
                createdAt: now, updatedAt: now)
        }
        // As PostgreSQL orders uuids (`ORDER BY o.round, o.id`): byte by byte.
        return (sent + pending).sorted { a, b in
            withUnsafeBytes(of: a.id.uuid) { x in withUnsafeBytes(of: b.id.uuid) { y in x.lexicographicallyPrecedes(y) } }
        }
    }

    /// The job's offers (of one round, or all), oldest first.
    static func offers(of jobID: UUID, round: Int?, _ transaction: TenantTransaction) async throws -> [Offer] {
        try await transaction.query(offersQuery(of: jobID, round: round, tenantID: transaction.tenantID)).collect(Offer.init(row:))
    }

    /// The statement `offers(of:round:)` sends (`GET /v1/jobs/{id}/offers`).
    static func offersQuery(of jobID: UUID, round: Int?, tenantID: UUID) -> PostgresQuery {
        """
        SELECT \(columns: Offer.columns, tenant: tenantID) FROM offers o
        JOIN organizations org ON org.tenant_id = o.tenant_id AND org.id = o.organization_id
        WHERE o.tenant_id = \(tenantID) AND o.job_id = \(jobID) AND (\(round)::int IS NULL OR o.round = \(round))
        ORDER BY o.round, o.id
        """
    }
}

/// A round's candidates: those an offer can reach, nearest first, and those it cannot.
struct RankedCandidates: Sendable {
    let candidates: [Candidate]
    let unreachable: [UUID]
}
