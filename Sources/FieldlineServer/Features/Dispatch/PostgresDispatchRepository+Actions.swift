import FieldlineDomain
import Foundation
import PostgresNIO

/// The agent's dispatch actions: withdrawing offers, re-broadcasting, assigning by hand. Each
/// takes the job's row lock first, like an Accept, so whichever commits first wins and the other
/// sees its result (docs/dispatch.md, exactly once).
extension PostgresDispatchRepository {
    func withdraw(_ target: WithdrawTarget, by actor: String, viewer: Viewer) async throws -> DispatchOutcome? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            try await transaction.actor(actor)
            let (jobID, offerID): (UUID?, UUID?) = switch target {
            case .job(let id): (id, nil)
            case .offer(let id): (try await Self.job(ofOffer: id, transaction), id)
            }
            guard let jobID, let job = try await OfferedJob.lock(jobID, viewer: viewer, transaction) else { return nil }
            let text = OfferText.withdrawn(orderNumber: job.orderNumber)
            if let offerID {
                let closed = try await OfferWithdrawal.close(
                    of: job.id, .init(only: offerID), as: "withdrawn", telling: text, transaction)
                guard !closed.isEmpty else {
                    throw APIError.conflict("offer_not_open", "only an open offer (sent, delivered or read) can be withdrawn")
                }
                // The round moves on as after a decline: the next candidate or wave, or the job reopens.
                if job.status == .offered { try await DispatchTimers.moveOn(job, stepsNow: true, transaction) }
            } else {
                guard job.status == .offered else {
                    throw APIError.conflict("job_not_offered", "the job is \(job.status.rawValue); only an offered job has offers to withdraw")
                }
                try await OfferWithdrawal.close(of: job.id, .init(), as: "withdrawn", telling: text, transaction)
                try await DispatchRound.close(of: job.id, transaction)
                try await DispatchTimers.moveOn(job, stepsNow: true, transaction)
            }
            try await DispatchEngine.schedule(job.id, transaction)
            return try await Self.outcome(job.id, transaction)
        }
    }

    func rebroadcast(_ jobID: UUID, _ request: BroadcastRequest, createdBy: String, viewer: Viewer) async throws -> Broadcast? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            try await transaction.actor(createdBy)
            let settings = try request.settings(over: try await DispatchSettingsStore.load(transaction))
            guard let job = try await OfferedJob.lock(jobID, viewer: viewer, transaction) else { return nil }
            guard job.status == .open || job.status == .offered else {
                throw APIError.conflict("job_not_open", "only an open or offered job can be broadcast again; this one is \(job.status.rawValue)")
            }
            let ranked = try await Self.rankedCandidates(job, request, viewer: viewer, transaction)
            // The subcontractors the new round offers at once get its offer instead of a notice.
            let first = Allocation.first(distances: ranked.candidates.map(\.distanceM), settings).count
            try await OfferWithdrawal.close(
                of: job.id, .init(silentFor: ranked.candidates.prefix(first).map(\.organizationId)), as: "withdrawn",
                telling: OfferText.withdrawn(orderNumber: job.orderNumber), transaction)
            return try await Self.startRound(job, ranked, settings: settings, createdBy: createdBy, viewer: viewer, transaction)
        }
    }

    func assign(_ jobID: UUID, to organizationID: UUID, crew crewID: UUID?, by actor: String, viewer: Viewer) async throws -> DispatchOutcome? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            try await transaction.actor(actor)
            guard let job = try await OfferedJob.lock(jobID, viewer: viewer, transaction) else { return nil }
            guard job.status == .open || job.status == .offered else {
                throw APIError.conflict("job_not_assignable", "the job is \(job.status.rawValue); only an open or offered job can be assigned here (PATCH /v1/jobs/{id} changes an assignment)")
            }
            let connection = transaction.connection
            try await SubcontractorCheck.require(organizationID, for: "jobs", tenantID: transaction.tenantID, connection, logger: transaction.logger)
            try await JobVisibility.requireAssignable(organizationID, viewer: viewer, connection, logger: transaction.logger)
            if let crewID {
                let found = try await transaction.query(
                    "SELECT 1 FROM crews WHERE tenant_id = \(transaction.tenantID) AND id = \(crewID) AND organization_id = \(organizationID)"
                ).any()
                guard found else {
                    throw ValidationError(field: "crew_id", code: "unknown_reference", message: "crew_id names no crew of the subcontractor in organization_id")
                }
            }
            try await transaction.query("""
                UPDATE jobs SET status = 'assigned', organization_id = \(organizationID), crew_id = \(crewID),
                    status_changed_at = now(), updated_at = now()
                WHERE tenant_id = \(transaction.tenantID) AND id = \(job.id)
                """)
            try await CitusWrites.jobStatusChanged(
                job.id, to: .assigned, tenantID: transaction.tenantID, connection: transaction.connection, logger: transaction.logger)
            try await BusinessEvents.recordJob(.jobAssigned, job.id, in: transaction)
            transaction.stream(job.assignedEvent(to: organizationID, crew: crewID, offerID: nil).map { [$0] } ?? [])
            try await OfferWithdrawal.close(
                of: job.id, .init(silentFor: [organizationID]), as: "withdrawn",
                telling: OfferText.takenByAnother(orderNumber: job.orderNumber), transaction)
            try await DispatchRound.close(of: job.id, transaction)
            return try await Self.outcome(job.id, transaction)
        }
    }

    /// The job an offer belongs to, or nil.
    private static func job(ofOffer offerID: UUID, _ transaction: TenantTransaction) async throws -> UUID? {
        try await transaction.query(
            "SELECT job_id FROM offers WHERE tenant_id = \(transaction.tenantID) AND id = \(offerID)"
        ).first { try $0.decode(UUID.self) }
    }

    /// The job's status and assignee after an action, with all its offers.
    static func outcome(_ jobID: UUID, _ transaction: TenantTransaction) async throws -> DispatchOutcome {
        let (status, organizationID, crewID) = try await transaction.query(
            "SELECT status, organization_id, crew_id FROM jobs WHERE tenant_id = \(transaction.tenantID) AND id = \(jobID)"
        ).first { try $0.decode((String, UUID?, UUID?).self) } ?? ("open", nil, nil)
        return DispatchOutcome(
            jobId: jobID, status: status, organizationId: organizationID, crewId: crewID,
            offers: try await offers(of: jobID, round: nil, transaction))
    }
}
