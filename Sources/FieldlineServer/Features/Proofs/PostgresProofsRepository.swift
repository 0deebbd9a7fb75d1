import FieldlineDomain
import Foundation
import PostgresNIO

/// `ProofsRepository` on PostgreSQL.
struct PostgresProofsRepository: ProofsRepository {
    let database: Database

    var logger: Logger { database.logger }

    func record(_ proof: NewProof, forJob jobID: UUID, submittedBy: String, viewer: Viewer) async throws -> Proof? {
        try await database.withTenant(viewer.tenantID) { try await record(proof, forJob: jobID, submittedBy: submittedBy, viewer: viewer, on: $0) }
    }

    /// `record` inside the caller's transaction (a flow's `attach_proof` step runs in the
    /// transaction of the member's answer).
    func record(_ proof: NewProof, forJob jobID: UUID, submittedBy: String, viewer: Viewer, on connection: PostgresConnection) async throws -> Proof? {
        let tenantID = viewer.tenantID
        // Locked: the job cannot be cancelled or changed while its proof is being recorded.
        guard let job = try await PostgresJobsRepository(database: database).fetch(jobID, viewer: viewer, lock: true, connection) else {
            return nil
        }
        try Self.requireAcceptsProofs(job)
        if let crewCode = proof.crewCode { try await requireCrew(crewCode, of: job, tenantID: tenantID, connection) }
        var member: ProofMember.Resolved?
        if let memberID = proof.memberID { member = try await ProofMember.resolve(memberID, for: job, tenantID: tenantID, connection, logger: logger) }
        var evidence = try await ProofEvidence.gather(proof, job: job, viewer: viewer, database: database, connection)
        if !proof.uploads.isEmpty {
            evidence.mediaIDs += try await Self.insertUploads(proof.uploads, by: submittedBy, tenantID: tenantID, connection, logger: logger)
        }
        let id = UUIDv7.make()
        // The conversation is read first and the proof written from values: Citus refuses an
        // INSERT whose source joins a subquery without FROM (docs/scaling.md).
        let conversation = try await connection.query("""
            SELECT id, member_id FROM conversations
            WHERE tenant_id = \(tenantID) AND id = \(evidence.conversationID ?? member?.conversationID)
            """, logger: logger
        ).first { try $0.decode((UUID, UUID).self) }
        try await connection.query("""
            INSERT INTO proofs (tenant_id, id, job_id, conversation_id, member_id, crew_code, latitude, longitude, note, submitted_by)
            VALUES (\(tenantID), \(id), \(jobID), \(conversation?.0), \(proof.memberID ?? conversation?.1),
                    \(proof.crewCode ?? member?.crewCode ?? job.crewCode),
                    \(evidence.location?.latitude), \(evidence.location?.longitude), \(proof.note), \(submittedBy))
            """, logger: logger)
        try await connection.query("""
            INSERT INTO proof_media (tenant_id, proof_id, media_id, position)
            SELECT \(tenantID), \(id), u.media_id, u.ordinal - 1 FROM unnest(\(evidence.mediaIDs)::uuid[]) WITH ORDINALITY u(media_id, ordinal)
            \(unescaped: CitusWrites.returning("proof_id"))
            """, logger: logger)
        let recorded = try await fetch(id, viewer: viewer, lock: false, connection)
        if recorded != nil { try await recordEvent(.proofCreated, proof: id, viewer: viewer, answer: recorded, connection) }
        return recorded
    }

    func checkMember(_ memberID: UUID, forJob jobID: UUID, viewer: Viewer) async throws {
        try await database.withTenant(viewer.tenantID) { connection in
            guard let job = try await PostgresJobsRepository(database: database).fetch(jobID, viewer: viewer, lock: false, connection) else {
                throw APIError.notFound("job")
            }
            _ = try await ProofMember.resolve(memberID, for: job, tenantID: viewer.tenantID, connection, logger: logger)
        }
    }

    func takesProofs(_ jobID: UUID, viewer: Viewer) async throws -> Bool {
        try await database.withTenant(viewer.tenantID) { connection in
            guard let job = try await PostgresJobsRepository(database: database).fetch(jobID, viewer: viewer, lock: false, connection) else {
                return false
            }
            try Self.requireAcceptsProofs(job)
            return true
        }
    }

    /// 409 `job_not_assigned` unless the job is assigned, in progress or completed.
    private static func requireAcceptsProofs(_ job: Job) throws {
        guard job.status.acceptsProofs else {
            throw APIError.conflict(
                "job_not_assigned",
                "the job is \(job.status.rawValue); proofs are recorded once it is assigned (assigned, in_progress or completed)")
        }
    }

    /// Media rows for uploaded photos (`fetched` from the start), in the recording transaction.
    private static func insertUploads(
        _ uploads: [MediaIntake.Received], by uploader: String, tenantID: UUID, _ connection: PostgresConnection, logger: Logger
    ) async throws -> [UUID] {
        var ids: [UUID] = []
        for upload in uploads {
            let id = UUIDv7.make()
            let facts = StoredPhotoFacts(upload.facts)
            try await connection.query("""
                INSERT INTO media (tenant_id, id, provider, uploaded_by, status, sha256, size_bytes, content_type, fetched_at,
                                   width, height, exif_status, exif, phash, phash_contrast)
                VALUES (\(tenantID), \(id), 'upload', \(uploader), 'fetched', \(upload.stored.sha256), \(upload.stored.size),
                        \(upload.contentType), now(), \(facts.width), \(facts.height), \(facts.exifStatus), \(facts.exifJSON)::jsonb, \(facts.phash),
                        \(facts.phashContrast))
                """, logger: logger)
            ids.append(id)
        }
        return ids
    }

    func get(_ id: UUID, viewer: Viewer) async throws -> Proof? {
        try await database.withTenant(viewer.tenantID) { try await fetch(id, viewer: viewer, lock: false, $0) }
    }

    func list(_ filter: ProofFilter, page: PageRequest, viewer: Viewer) async throws -> [Proof] {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(proofColumns: viewer) FROM proofs p
                JOIN jobs j ON j.tenant_id = p.tenant_id AND j.id = p.job_id
                WHERE p.tenant_id = \(tenantID)
                  AND \(visibleJobs: viewer)
                  AND (\(filter.orderNumber)::text IS NULL OR j.order_number = \(filter.orderNumber))
                  AND (\(filter.crewCode)::text IS NULL OR p.crew_code = \(filter.crewCode))
                  AND (\(filter.reviewState?.rawValue)::text IS NULL OR p.review_state = \(filter.reviewState?.rawValue))
                  AND (\(filter.jobID)::uuid IS NULL OR p.job_id = \(filter.jobID))
                  AND (\(filter.updatedSince)::timestamptz IS NULL OR p.updated_at >= \(filter.updatedSince))
                  AND (\(page.after)::uuid IS NULL OR p.id < \(page.after))
                ORDER BY p.id DESC LIMIT \(page.fetchLimit)
                """, logger: logger
            ).collect(Proof.init(row:))
        }
    }

    func review(_ id: UUID, decision: ProofDecision, reason: String?, reviewer: String, viewer: Viewer) async throws -> Proof? {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            guard let proof = try await fetch(id, viewer: viewer, lock: true, connection) else { return nil }
            let cleaned: String?
            do {
                cleaned = try ProofReviewRules.check(current: proof.reviewState, decision: decision, reason: reason)
            } catch let error as ProofAlreadyReviewed {
                throw APIError.conflict("already_reviewed", error.message, field: "decision")
            }
            try await connection.query("""
                UPDATE proofs SET review_state = \(decision.state.rawValue), review_reason = \(cleaned), reviewed_by = \(reviewer),
                    reviewed_at = now(), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger)
            var restart: ProofFlowRestart?
            if decision == .rejected, let conversationID = proof.conversationId, let cleaned {
                // The crew hears it where they sent the evidence, so they can send it again, and
                // their flow run (if any) asks for the photos again.
                let text = ProofReviewRules.rejectionMessage(orderNumber: proof.orderNumber, reason: cleaned)
                var events = [try await RoutingEngine(logger: logger).systemMessage(text, to: conversationID, tenantID: tenantID, connection)]
                let transaction = TenantTransaction(tenantID: tenantID, connection: connection, logger: logger)
                if let restarted = try await FlowRejectionRestart(database: database).restart(after: proof, by: reviewer, transaction) {
                    restart = restarted.0
                    events += restarted.1
                }
                try await StreamEventWriter.append(events, tenantID: tenantID, connection: connection, logger: logger)
            }
            var reviewed = try await fetch(id, viewer: viewer, lock: false, connection)
            reviewed?.flowRestart = restart
            if reviewed != nil {
                try await recordEvent(.proofReviewed, proof: id, viewer: viewer, answer: reviewed, flowRestart: restart, connection)
            }
            return reviewed
        }
    }

    /// Records the event with the proof as the whole tenant sees it (the feed and webhooks go to
    /// tenant-wide readers), not as the caller does: `reused_in` names every other job. A
    /// rejection's `flow_restart` goes with it, so an ERP sees the crew was asked again.
    private func recordEvent(
        _ type: BusinessEventType, proof id: UUID, viewer: Viewer, answer: Proof?, flowRestart: ProofFlowRestart? = nil,
        _ connection: PostgresConnection
    ) async throws {
        let tenantWide = Viewer(tenantID: viewer.tenantID, restrictedToUser: nil, userID: nil)
        var body = viewer.userID == nil ? answer : try await fetch(id, viewer: tenantWide, lock: false, connection)
        body?.flowRestart = flowRestart
        guard let body else { return }
        try await BusinessEvents.record(type, body: body, resource: id, on: connection, tenantID: viewer.tenantID, logger: logger)
    }

    /// A crew code given with a proof must name a crew of the job's subcontractor (422 `unknown_crew`).
    private func requireCrew(_ crewCode: String, of job: Job, tenantID: UUID, _ connection: PostgresConnection) async throws {
        let found = try await connection.query("""
            SELECT 1 FROM crews
            WHERE tenant_id = \(tenantID) AND organization_id = \(job.organizationId) AND crew_code = \(crewCode)
            """, logger: logger
        ).any()
        guard found else {
            throw ValidationError(field: "crew_code", code: "unknown_crew", message: "crew_code names no crew of the job's subcontractor")
        }
    }

    /// One proof whose job the viewer may see, with its media, or nil; `lock` holds the proof
    /// until the transaction ends.
    private func fetch(_ id: UUID, viewer: Viewer, lock: Bool, _ connection: PostgresConnection) async throws -> Proof? {
        let locked = lock ? try await CitusWrites.lockAlone("proofs", id: id, tenantID: viewer.tenantID, connection: connection, logger: logger) : false
        return try await connection.query(Self.fetchQuery(id, viewer: viewer, lock: lock && !locked), logger: logger).first(Proof.init(row:))
    }

    /// One proof whose job the viewer may see (`GET /v1/proofs/{id}`), locked when `lock`.
    static func fetchQuery(_ id: UUID, viewer: Viewer, lock: Bool) -> PostgresQuery {
        """
        SELECT \(proofColumns: viewer) FROM proofs p
        JOIN jobs j ON j.tenant_id = p.tenant_id AND j.id = p.job_id
        WHERE p.tenant_id = \(viewer.tenantID) AND p.id = \(id) AND \(visibleJobs: viewer)
        \(unescaped: lock ? "FOR UPDATE OF p" : "")
        """
    }
}
