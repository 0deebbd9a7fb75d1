import FieldlineDomain
import Foundation
import PostgresNIO

/// A member's answer to an offer, decided inside the inbound transaction (see `AnswerOffer`).
///
/// **First acceptance wins, exactly once**: the job row is locked (`FOR UPDATE`) before the offer
/// is read, so two accepts of one job run one after the other whatever instance or batch they
/// arrive in; only an Accept that finds the job still `offered` and its offer still open assigns
/// it, and the same statement sequence withdraws every other open offer. The later Accept finds
/// the job `assigned` and its offer `withdrawn`, and gets a polite "already taken".
enum OfferAnswering {
    /// The open states of an offer.
    static let openStates: Set<String> = ["sent", "delivered", "read"]
    /// The states of a job that was taken: an Accept can no longer win it.
    static let taken: Set<JobStatus> = [.assigned, .inProgress, .completed]

    /// Applies `answer` to the offer `offerID` from `memberID`, writing in `conversationID`
    /// (locked by ingest) any reply. Returns the events of that conversation; others' go to the
    /// transaction's stream directly. A member the offer never went to changes nothing.
    static func answer(
        _ offerID: UUID, _ answer: OfferAnswer, memberID: UUID, conversationID: UUID, _ transaction: TenantTransaction
    ) async throws -> [NewStreamEvent] {
        let tenantID = transaction.tenantID
        let offered = try await transaction.query("""
            SELECT o.job_id, o.organization_id, o.round, o.status, j.status, j.order_number FROM offers o
            JOIN offer_recipients r ON r.tenant_id = o.tenant_id AND r.offer_id = o.id AND r.member_id = \(memberID)
            JOIN jobs j ON j.tenant_id = o.tenant_id AND j.id = o.job_id
            WHERE o.tenant_id = \(tenantID) AND o.id = \(offerID)
            """
        ).first { try $0.decode((UUID, UUID, Int, String, String, String).self) }
        guard let (jobID, organizationID, round, seen, jobStatus, orderNumber) = offered else { return [] }
        let routing = RoutingEngine(logger: transaction.logger)
        func reply(_ text: String) async throws -> [NewStreamEvent] {
            [try await routing.systemMessage(text, to: conversationID, tenantID: tenantID, transaction.connection)]
        }
        // A job already taken stays taken: the answers that come after (most of a broadcast's
        // Accepts) are decided without the job's lock, so they wait for nobody and change
        // nothing but their reply. Only an answer that may change the job takes the lock.
        if let status = JobStatus(rawValue: jobStatus), Self.taken.contains(status) {
            guard answer == .accept, seen != "accepted" else { return [] }
            return try await reply(OfferText.alreadyTaken(orderNumber: orderNumber))
        }
        guard let job = try await OfferedJob.lock(jobID, transaction) else { return [] }
        // What this answer changes is the member's doing (job_history); the batch's next message names its own sender.
        try await transaction.actor("member:\(memberID.uuidString.lowercased())")
        let (stored, timeUp) = try await transaction.query(
            "SELECT status, coalesce(expires_at <= now(), false) FROM offers WHERE tenant_id = \(tenantID) AND id = \(offerID) FOR UPDATE"
        ).first { try $0.decode((String, Bool).self) } ?? ("withdrawn", false)
        var status = stored
        if openStates.contains(status), timeUp, job.status == .offered {
            // Its time ran out before its timer ran: it expires now, and the timer moves the round on.
            try await OfferWithdrawal.close(
                of: jobID, .init(only: offerID, dueOnly: true), as: "expired", telling: OfferText.expired(orderNumber: job.orderNumber),
                transaction)
            try await DispatchEngine.tickNow(jobID, transaction)
            status = "expired"
        }
        let isOpen = openStates.contains(status)
        switch answer {
        case .decline:
            guard isOpen else { return [] }
            try await close(offerID, as: "declined", by: memberID, transaction)
            // The next candidate or wave goes out in a transaction of its own (opening
            // conversations while ingest holds others could deadlock); nobody left reopens the job now.
            try await DispatchTimers.moveOn(job, stepsNow: false, transaction)
            try await BusinessEvents.recordOffer(.offerDeclined, offerID, in: transaction)
            return [event(.offerDeclined, conversationID, job: job, offerID: offerID, organizationID: organizationID)]
        case .accept where isOpen && job.status == .offered:
            try await close(offerID, as: "accepted", by: memberID, transaction)
            let crewID = try await onlyCrew(of: memberID, in: organizationID, transaction)
            try await transaction.query("""
                UPDATE jobs SET status = 'assigned', organization_id = \(organizationID), crew_id = \(crewID),
                    status_changed_at = now(), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(jobID)
                """)
            try await CitusWrites.jobStatusChanged(
                jobID, to: .assigned, tenantID: transaction.tenantID, connection: transaction.connection, logger: transaction.logger)
            try await OfferWithdrawal.withdrawOthers(of: jobID, keeping: offerID, round: round, answeredBy: memberID, transaction)
            try await DispatchRound.close(of: jobID, transaction)
            try await BusinessEvents.recordOffer(.offerAccepted, offerID, in: transaction)
            try await BusinessEvents.recordJob(.jobAssigned, jobID, in: transaction)
            var events = [try await assignmentMessage(job, to: conversationID, routing, transaction)]
            events.append(event(.offerAccepted, conversationID, job: job, offerID: offerID, organizationID: organizationID))
            var assigned = event(.jobAssigned, conversationID, job: job, offerID: offerID, organizationID: organizationID)
            assigned.data["crew_id"] = .id(crewID)
            // The job's own event when the job belongs to this conversation (assignedEvent).
            if job.conversationID == conversationID { assigned.jobID = job.id }
            events.append(assigned)
            if let own = job.assignedEvent(to: organizationID, crew: crewID, offerID: offerID, answeredIn: conversationID) { events.append(own) }
            return events
        case .accept:
            if status == "accepted" { return [] }
            if isOpen {
                // The job left `offered` by hand (assigned, cancelled, reopened): this offer is stale.
                try await transaction.query("""
                    UPDATE offers SET status = 'withdrawn', updated_at = now() WHERE tenant_id = \(tenantID) AND id = \(offerID)
                    """)
            }
            if Self.taken.contains(job.status) { return try await reply(OfferText.alreadyTaken(orderNumber: job.orderNumber)) }
            if status == "expired" { return try await reply(OfferText.lateAccept(orderNumber: job.orderNumber)) }
            return try await reply(OfferText.noLongerOpen(orderNumber: job.orderNumber))
        }
    }

    /// Tells the winner the job is theirs; when a flow of the tenant waits for the crew to say the
    /// job is done (a `job_done` trigger: the shipped proof-of-service flow), with the "Job done" choice.
    private static func assignmentMessage(
        _ job: OfferedJob, to conversationID: UUID, _ routing: RoutingEngine, _ transaction: TenantTransaction
    ) async throws -> NewStreamEvent {
        let tenantID = transaction.tenantID
        let flowWaits = try await transaction.query("""
            SELECT EXISTS (SELECT 1 FROM flows WHERE tenant_id = \(tenantID) AND enabled AND triggers @> '[{"type": "job_done"}]')
            """
        ).first { try $0.decode(Bool.self) } ?? false
        guard flowWaits else {
            return try await routing.systemMessage(OfferText.accepted(orderNumber: job.orderNumber), to: conversationID, tenantID: tenantID, transaction.connection)
        }
        return try await routing.choiceMessage(
            OfferText.acceptedWithDone(orderNumber: job.orderNumber), choices: [JobDoneChoice.choice(job.id, orderNumber: job.orderNumber)],
            to: conversationID, tenantID: tenantID, transaction.connection)
    }

    /// Records the member's answer on the offer.
    private static func close(_ offerID: UUID, as status: String, by memberID: UUID, _ transaction: TenantTransaction) async throws {
        try await transaction.query("""
            UPDATE offers SET status = \(status), answered_by_member_id = \(memberID), answered_at = now(), updated_at = now()
            WHERE tenant_id = \(transaction.tenantID) AND id = \(offerID)
            """)
    }

    /// The member's crew in the subcontractor, when they belong to exactly one of its crews.
    private static func onlyCrew(of memberID: UUID, in organizationID: UUID, _ transaction: TenantTransaction) async throws -> UUID? {
        let crews = try await transaction.query("""
            SELECT c.id FROM crew_members cm
            JOIN crews c ON c.tenant_id = cm.tenant_id AND c.id = cm.crew_id
            WHERE cm.tenant_id = \(transaction.tenantID) AND cm.member_id = \(memberID) AND c.organization_id = \(organizationID)
            LIMIT 2
            """
        ).collect { try $0.decode(UUID.self) }
        return crews.count == 1 ? crews[0] : nil
    }

    /// A stream event about the offer and its job, in the answering member's conversation.
    /// The answers themselves (`offer.*`) are keyed by the job too: whoever follows the job sees them.
    private static func event(_ kind: StreamEventKind, _ conversationID: UUID, job: OfferedJob, offerID: UUID, organizationID: UUID) -> NewStreamEvent {
        NewStreamEvent(kind: kind, conversationID: conversationID, jobID: kind == .jobAssigned ? nil : job.id, data: [
            "job_id": .id(job.id), "order_number": .string(job.orderNumber), "offer_id": .id(offerID),
            "organization_id": .id(organizationID),
        ])
    }
}
