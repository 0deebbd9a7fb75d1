import FieldlineDomain
import Foundation
import PostgresNIO

/// `JobsRepository` on PostgreSQL.
struct PostgresJobsRepository: JobsRepository {
    let database: Database

    var logger: Logger { database.logger }

    func create(_ draft: JobDraft, createdBy: String, viewer: Viewer) async throws -> Job {
        let tenantID = viewer.tenantID
        return try await Self.mappingErrors {
            try await database.withTenant(tenantID) { connection in
                try JobRules.checkTransition(from: .open, to: draft.status, hasAssignee: draft.organizationID != nil)
                try draft.check()
                try await checkReferences(of: draft, changedFrom: nil, viewer: viewer, connection)
                let id = UUIDv7.make()
                try await connection.setLocal("app.actor", to: createdBy, logger: logger)
                try await connection.query("""
                    INSERT INTO jobs (tenant_id, id, order_number, title, description, latitude, longitude, address, required_tags,
                                      window_start, window_end, status, organization_id, crew_id, conversation_id, created_by)
                    VALUES (\(tenantID), \(id), \(draft.orderNumber), \(draft.title), \(draft.description),
                            \(draft.location?.latitude), \(draft.location?.longitude), \(draft.address), \(draft.requiredTags),
                            \(draft.windowStart), \(draft.windowEnd), \(draft.status.rawValue), \(draft.organizationID),
                            \(draft.crewID), \(draft.conversationID), \(createdBy))
                    """, logger: logger)
                try await CitusWrites.jobStatusChanged(id, to: draft.status, tenantID: tenantID, connection: connection, logger: logger)
                // A viewer restricted to an organization creates only jobs they will see.
                guard let job = try await fetch(id, viewer: viewer, lock: false, connection) else {
                    throw ValidationError(field: "organization_id", code: "missing_field",
                                          message: "assign the job to a subcontractor in your organization's subtree, or link a conversation you can see")
                }
                try await BusinessEvents.recordJob(job, before: nil, on: connection, tenantID: tenantID, logger: logger)
                try await StreamEventWriter.append(job.streamEvent(before: nil).map { [$0] } ?? [], tenantID: tenantID, connection: connection, logger: logger)
                return job
            }
        }
    }

    func get(_ id: UUID, viewer: Viewer) async throws -> Job? {
        try await database.withTenant(viewer.tenantID) { try await fetch(id, viewer: viewer, lock: false, $0) }
    }

    func list(_ filter: JobFilter, page: PageRequest, viewer: Viewer) async throws -> [Job] {
        try await database.withTenant(viewer.tenantID) { connection in
            try await connection.query(Self.listQuery(filter, page: page, viewer: viewer), logger: logger).collect(Job.init(row:))
        }
    }

    /// The jobs list's statement (`GET /v1/jobs`), by itself so the Citus suite can check its plan.
    static func listQuery(_ filter: JobFilter, page: PageRequest, viewer: Viewer) -> PostgresQuery {
        let tenantID = viewer.tenantID
        return """
            SELECT \(columns: Job.columns, tenant: tenantID) FROM jobs j
            WHERE j.tenant_id = \(tenantID)
              AND \(visibleJobs: viewer)
              AND (\(filter.orderNumber)::text IS NULL OR j.order_number = \(filter.orderNumber))
              AND (\(filter.status?.rawValue)::text IS NULL OR j.status = \(filter.status?.rawValue))
              AND (\(filter.organizationID)::uuid IS NULL OR j.organization_id = \(filter.organizationID))
              AND (\(filter.crewCode)::text IS NULL OR j.crew_id = (
                    SELECT cr.id FROM crews cr WHERE cr.tenant_id = j.tenant_id\(citusTenant: "cr", tenantID) AND cr.crew_code = \(filter.crewCode)))
              AND (\(filter.conversationID)::uuid IS NULL OR (j.conversation_id = \(filter.conversationID) AND EXISTS (
                    -- Filtering by a conversation the viewer cannot see finds nothing, whoever has the jobs.
                    SELECT 1 FROM conversations c WHERE c.tenant_id = j.tenant_id\(citusTenant: "c", tenantID) AND c.id = j.conversation_id
                      AND \(visibleConversations: viewer))))
              AND (\(filter.updatedSince)::timestamptz IS NULL OR j.updated_at >= \(filter.updatedSince))
              AND (\(page.after)::uuid IS NULL OR j.id < \(page.after))
            ORDER BY j.id DESC LIMIT \(page.fetchLimit)
            """
    }

    func update(_ id: UUID, changes: JobChanges, actor: String, viewer: Viewer) async throws -> Job? {
        let tenantID = viewer.tenantID
        return try await Self.mappingErrors {
            try await database.withTenant(tenantID) { connection in
                guard let job = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
                let before = try JobChanges().applied(to: job)
                var draft = try changes.applied(to: job)
                // Back to open from assigned releases the subcontractor and its crew, unless the change names them.
                if job.status == .assigned, draft.status == .open, case .unchanged = changes.organizationID {
                    draft.organizationID = nil
                }
                // A crew belongs to its subcontractor: naming another subcontractor without a crew lets the old crew go.
                if case .unchanged = changes.crewID, draft.organizationID != before.organizationID { draft.crewID = nil }
                guard draft != before else { return job }
                guard !job.status.isFinal else {
                    throw APIError.conflict("job_final", "the job is \(job.status.rawValue), which is final; it can no longer be changed", field: "status")
                }
                try JobRules.checkTransition(from: job.status, to: draft.status, hasAssignee: draft.organizationID != nil)
                try draft.check()
                try await checkReferences(of: draft, changedFrom: before, viewer: viewer, connection)
                try await connection.setLocal("app.actor", to: actor, logger: logger)
                // Decided here, from the row locked above: Citus allows no now() inside CASE.
                let statusChangedAt = job.status == draft.status ? "status_changed_at" : "now()"
                try await connection.query("""
                    UPDATE jobs SET order_number = \(draft.orderNumber), title = \(draft.title), description = \(draft.description),
                        latitude = \(draft.location?.latitude), longitude = \(draft.location?.longitude), address = \(draft.address),
                        required_tags = \(draft.requiredTags), window_start = \(draft.windowStart), window_end = \(draft.windowEnd),
                        status_changed_at = \(unescaped: statusChangedAt),
                        status = \(draft.status.rawValue), organization_id = \(draft.organizationID), crew_id = \(draft.crewID),
                        conversation_id = \(draft.conversationID), updated_at = now()
                    WHERE tenant_id = \(tenantID) AND id = \(id)
                    """, logger: logger)
                if job.status != draft.status {
                    try await CitusWrites.jobStatusChanged(id, to: draft.status, tenantID: tenantID, connection: connection, logger: logger)
                }
                if job.status == .offered, draft.status != .offered {
                    // Moved out of `offered` by hand: the open offers are withdrawn and their recipients told.
                    let transaction = TenantTransaction(tenantID: tenantID, connection: connection, logger: logger)
                    try await OfferWithdrawal.withdraw(
                        of: id, keeping: nil, telling: OfferText.withdrawn(orderNumber: draft.orderNumber), transaction)
                    try await DispatchRound.close(of: id, transaction)
                    try await transaction.flushStreamEvents()
                }
                let updated = try await fetch(id, tenantID: tenantID, lock: false, connection)
                if let updated {
                    try await BusinessEvents.recordJob(updated, before: job.status, on: connection, tenantID: tenantID, logger: logger)
                    try await StreamEventWriter.append(
                        updated.streamEvent(before: job.status).map { [$0] } ?? [], tenantID: tenantID, connection: connection, logger: logger)
                }
                return updated
            }
        }
    }

    /// Checks the references that are new or changed: the subcontractor, that the crew is one
    /// of its crews, and that the viewer may see the conversation. Unchanged links are kept even
    /// when the viewer could not make them now (another team's conversation).
    private func checkReferences(of draft: JobDraft, changedFrom before: JobDraft?, viewer: Viewer, _ connection: PostgresConnection) async throws {
        let tenantID = viewer.tenantID
        if let organizationID = draft.organizationID, organizationID != before?.organizationID {
            try await SubcontractorCheck.require(organizationID, for: "jobs", tenantID: tenantID, connection, logger: logger)
            try await JobVisibility.requireAssignable(organizationID, viewer: viewer, connection, logger: logger)
        }
        if let crewID = draft.crewID, crewID != before?.crewID || draft.organizationID != before?.organizationID {
            let found = try await connection.query("""
                SELECT 1 FROM crews WHERE tenant_id = \(tenantID) AND id = \(crewID) AND organization_id = \(draft.organizationID)
                """, logger: logger
            ).any()
            guard found else {
                throw ValidationError(field: "crew_id", code: "unknown_reference", message: "crew_id names no crew of the subcontractor in organization_id")
            }
        }
        if let conversationID = draft.conversationID, conversationID != before?.conversationID {
            guard try await VisibleConversation.exists(conversationID, viewer: viewer, connection, logger: logger) else {
                throw ValidationError(field: "conversation_id", code: "unknown_reference", message: "conversation_id names no conversation you can see")
            }
        }
    }

    /// One job the viewer may see, or nil; `lock` holds it until the transaction ends.
    func fetch(_ id: UUID, viewer: Viewer, lock: Bool, _ connection: PostgresConnection) async throws -> Job? {
        let locked = lock ? try await CitusWrites.lockAlone("jobs", id: id, tenantID: viewer.tenantID, connection: connection, logger: logger) : false
        return try await connection.query("""
            SELECT \(columns: Job.columns, tenant: viewer.tenantID) FROM jobs j
            WHERE j.tenant_id = \(viewer.tenantID) AND j.id = \(id) AND \(visibleJobs: viewer)
            \(unescaped: lock && !locked ? "FOR UPDATE OF j" : "")
            """, logger: logger
        ).first(Job.init(row:))
    }

    /// One job of the tenant whoever may see it (the row just written), or nil.
    private func fetch(_ id: UUID, tenantID: UUID, lock: Bool, _ connection: PostgresConnection) async throws -> Job? {
        let locked = lock ? try await CitusWrites.lockAlone("jobs", id: id, tenantID: tenantID, connection: connection, logger: logger) : false
        return try await connection.query("""
            SELECT \(columns: Job.columns, tenant: tenantID) FROM jobs j WHERE j.tenant_id = \(tenantID) AND j.id = \(id)
            \(unescaped: lock && !locked ? "FOR UPDATE" : "")
            """, logger: logger
        ).first(Job.init(row:))
    }

    /// Life-cycle and uniqueness errors as the API answers them (also when raised inside the transaction).
    private static func mappingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IllegalJobTransition {
            throw APIError.conflict("illegal_status_transition", error.message, field: "status")
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("order_number_taken", "another job already has this order number", field: "order_number")
        }
    }
}
