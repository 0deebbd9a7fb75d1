import FieldlineDomain
import Foundation
import PostgresNIO

/// Broadcasting a job (mode `all`): one offer per candidate, sent to its members in one transaction.
extension PostgresDispatchRepository {
    func broadcast(_ jobID: UUID, only organizationIDs: [UUID]?, createdBy: String, viewer: Viewer) async throws -> Broadcast? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            // The job row is locked until commit: an acceptance takes the same lock (AnswerOffer).
            guard let job = try await OfferedJob.lock(jobID, viewer: viewer, transaction) else { return nil }
            guard job.status == .open else {
                throw APIError.conflict("job_not_open", "only an open job can be broadcast; this one is \(job.status.rawValue)")
            }
            guard let latitude = job.latitude, let longitude = job.longitude else {
                throw APIError.conflict("job_has_no_site", "the job has no latitude and longitude: set them (PATCH /v1/jobs/{id}) to find who covers its site")
            }
            var candidates = try await Self.candidates(
                near: latitude, longitude, tags: job.requiredTags, filter: CandidateFilter(limit: Self.maxOffers), viewer: viewer, transaction)
            if let only = organizationIDs {
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
            let round = try await nextRound(of: jobID, transaction)
            let reachable = try await OfferDelivery.reachable(candidates.map(\.organizationId), transaction)
            var offerIDs: [UUID] = []
            for candidate in candidates where reachable.contains(candidate.organizationId) {
                let offerID = UUIDv7.make()
                try await transaction.query("""
                    INSERT INTO offers (tenant_id, id, job_id, organization_id, round, distance_m, created_by)
                    VALUES (\(transaction.tenantID), \(offerID), \(jobID), \(candidate.organizationId), \(round),
                            \(candidate.distanceM), \(createdBy))
                    """)
                try await OfferDelivery.send(offerID, job: job, to: candidate.organizationId, authorUserID: viewer.userID, transaction)
                offerIDs.append(offerID)
            }
            let unreachable = candidates.map(\.organizationId).filter { !reachable.contains($0) }
            guard !offerIDs.isEmpty else {
                throw APIError.conflict("no_reachable_candidates", "none of the candidates has a member with a messaging identity")
            }
            try await transaction.query("""
                UPDATE jobs SET status = 'offered', status_changed_at = now(), updated_at = now()
                WHERE tenant_id = \(transaction.tenantID) AND id = \(jobID)
                """)
            try await BusinessEvents.recordJob(.jobOffered, jobID, in: transaction)
            let offers = try await Self.offers(of: jobID, round: round, transaction)
            return Broadcast(jobId: jobID, round: round, status: JobStatus.offered.rawValue, offers: offers, unreachableOrganizationIds: unreachable)
        }
    }

    /// Most offers in one broadcast.
    static let maxOffers = 1000

    /// The job's next broadcast round.
    private func nextRound(of jobID: UUID, _ transaction: TenantTransaction) async throws -> Int {
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

    /// The job's offers (of one round, or all), oldest first.
    static func offers(of jobID: UUID, round: Int?, _ transaction: TenantTransaction) async throws -> [Offer] {
        try await transaction.query("""
            SELECT \(unescaped: Offer.columns) FROM offers o
            JOIN organizations org ON org.tenant_id = o.tenant_id AND org.id = o.organization_id
            WHERE o.tenant_id = \(transaction.tenantID) AND o.job_id = \(jobID) AND (\(round)::int IS NULL OR o.round = \(round))
            ORDER BY o.round, o.id
            """
        ).collect(Offer.init(row:))
    }
}
