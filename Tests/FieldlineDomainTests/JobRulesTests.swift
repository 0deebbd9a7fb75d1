import FieldlineDomain
import Testing

@Suite("Job life cycle")
struct JobRulesTests {
    @Test("status raw values are the wire names")
    func rawValues() {
        #expect(JobStatus.allCases.map(\.rawValue) == ["open", "offered", "assigned", "in_progress", "completed", "cancelled", "expired"])
        #expect(ProofReviewState.allCases.map(\.rawValue) == ["submitted", "accepted", "rejected"])
    }

    @Test("the forward path open → offered → assigned → in_progress → completed is allowed step by step")
    func forwardPath() throws {
        let path: [JobStatus] = [.open, .offered, .assigned, .inProgress, .completed]
        for (from, to) in zip(path, path.dropFirst()) {
            try JobRules.checkTransition(from: from, to: to, hasAssignee: true)
        }
    }

    @Test("every allowed and forbidden pair, exactly", arguments: JobStatus.allCases)
    func table(from: JobStatus) {
        let allowed: [JobStatus: Set<JobStatus>] = [
            .open: [.offered, .assigned, .cancelled, .expired],
            .offered: [.open, .assigned, .cancelled, .expired],
            .assigned: [.open, .inProgress, .cancelled],
            .inProgress: [.completed, .cancelled],
            .completed: [], .cancelled: [], .expired: [],
        ]
        for to in JobStatus.allCases {
            let legal = (try? JobRules.checkTransition(from: from, to: to, hasAssignee: true)) != nil
            #expect(legal == (from == to || allowed[from]!.contains(to)), "\(from.rawValue) → \(to.rawValue)")
        }
        #expect(Set(from.next) == allowed[from]!)
    }

    @Test("skipping a step, going backwards or leaving a final state is an IllegalJobTransition naming what is allowed")
    func illegal() throws {
        let skip = try #require(throws: IllegalJobTransition.self) { try JobRules.checkTransition(from: .open, to: .completed, hasAssignee: true) }
        #expect(skip == IllegalJobTransition(from: .open, to: .completed))
        #expect(skip.message == "a job cannot go from open to completed; from open it may become: offered, assigned, cancelled, expired")
        let back = try #require(throws: IllegalJobTransition.self) { try JobRules.checkTransition(from: .inProgress, to: .assigned, hasAssignee: true) }
        #expect(back.message.contains("from in_progress it may become: completed, cancelled"))
        let final = try #require(throws: IllegalJobTransition.self) { try JobRules.checkTransition(from: .cancelled, to: .open, hasAssignee: false) }
        #expect(final.message == "the job is cancelled, which is final; it cannot become open")
    }

    @Test("assigned, in_progress and completed need a subcontractor; the other states do not")
    func assignee() throws {
        let error = try #require(throws: ValidationError.self) { try JobRules.checkTransition(from: .open, to: .assigned, hasAssignee: false) }
        #expect(error.field == "organization_id")
        #expect(error.code == "assignee_required")
        #expect(throws: ValidationError.self) { try JobRules.checkTransition(from: .inProgress, to: .inProgress, hasAssignee: false) }
        try JobRules.checkTransition(from: .assigned, to: .open, hasAssignee: false)
        try JobRules.checkTransition(from: .open, to: .cancelled, hasAssignee: false)
        #expect(JobStatus.allCases.filter(\.needsAssignee) == [.assigned, .inProgress, .completed])
        #expect(JobStatus.allCases.filter(\.isFinal) == [.completed, .cancelled, .expired])
        #expect(JobStatus.allCases.filter(\.acceptsProofs) == [.assigned, .inProgress, .completed])
    }
}

@Suite("Proof review")
struct ProofReviewRulesTests {
    @Test("a submitted proof is accepted with an optional, trimmed reason")
    func accept() throws {
        #expect(try ProofReviewRules.check(current: .submitted, decision: .accepted, reason: nil) == nil)
        #expect(try ProofReviewRules.check(current: .submitted, decision: .accepted, reason: "  ") == nil)
        #expect(try ProofReviewRules.check(current: .submitted, decision: .accepted, reason: " Clear photos ") == "Clear photos")
        #expect(ProofDecision.accepted.state == .accepted)
        #expect(ProofDecision.rejected.state == .rejected)
    }

    @Test("rejecting needs a reason")
    func rejectNeedsReason() throws {
        let error = try #require(throws: ValidationError.self) { try ProofReviewRules.check(current: .submitted, decision: .rejected, reason: " ") }
        #expect(error.field == "reason")
        #expect(try ProofReviewRules.check(current: .submitted, decision: .rejected, reason: "Plate not visible") == "Plate not visible")
        #expect(throws: ValidationError.self) {
            try ProofReviewRules.check(current: .submitted, decision: .accepted, reason: String(repeating: "x", count: 2001))
        }
    }

    @Test("a review is final: reviewing again fails whatever the decision", arguments: [ProofReviewState.accepted, .rejected])
    func final(state: ProofReviewState) throws {
        for decision in ProofDecision.allCases {
            let error = try #require(throws: ProofAlreadyReviewed.self) {
                try ProofReviewRules.check(current: state, decision: decision, reason: "again")
            }
            #expect(error.state == state)
            #expect(error.message.contains(state.rawValue))
        }
    }
}
