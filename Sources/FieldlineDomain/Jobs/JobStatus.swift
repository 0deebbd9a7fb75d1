/// Where a job stands: `open → offered → assigned → in_progress → completed | cancelled | expired`.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    /// Created, nobody has it yet.
    case open
    /// Offered to one or more subcontractors (a broadcast wave); nobody accepted yet.
    case offered
    /// A subcontractor (and maybe one of its crews) has it.
    case assigned
    /// The crew is on it.
    case inProgress = "in_progress"
    /// Done. Final.
    case completed
    /// Called off. Final.
    case cancelled
    /// Its time passed before anyone did it. Final.
    case expired

    /// Whether nothing can happen to the job any more.
    public var isFinal: Bool { [.completed, .cancelled, .expired].contains(self) }

    /// Whether a subcontractor must be named (`organization_id`) while the job is in this state.
    public var needsAssignee: Bool { [.assigned, .inProgress, .completed].contains(self) }

    /// Whether proof of service may be recorded: once someone has the job, and after it is done.
    public var acceptsProofs: Bool { [.assigned, .inProgress, .completed].contains(self) }

    /// The states a job may move to from this one. Going back from `offered` or `assigned` to
    /// `open` withdraws the offer or releases the subcontractor; `expired` is for jobs nobody took.
    public var next: [JobStatus] {
        switch self {
        case .open: [.offered, .assigned, .cancelled, .expired]
        case .offered: [.open, .assigned, .cancelled, .expired]
        case .assigned: [.open, .inProgress, .cancelled]
        case .inProgress: [.completed, .cancelled]
        case .completed, .cancelled, .expired: []
        }
    }
}

/// A status change that the job's life cycle does not allow (the API answers 409).
public struct IllegalJobTransition: Error, Sendable, Equatable, CustomStringConvertible {
    /// The job's status now.
    public let from: JobStatus
    /// The status asked for.
    public let to: JobStatus

    /// A refused change from `from` to `to`.
    public init(from: JobStatus, to: JobStatus) {
        self.from = from
        self.to = to
    }

    /// A sentence naming what is allowed instead.
    public var message: String {
        let allowed = from.next.map(\.rawValue)
        if allowed.isEmpty {
            return "the job is \(from.rawValue), which is final; it cannot become \(to.rawValue)"
        }
        return "a job cannot go from \(from.rawValue) to \(to.rawValue); from \(from.rawValue) it may become: \(allowed.joined(separator: ", "))"
    }

    /// Same as `message`.
    public var description: String { message }
}

/// The job life-cycle rules, without I/O.
public enum JobRules {
    /// Checks a status change. Staying in the same status is no change and always allowed.
    /// - Throws: `IllegalJobTransition` for a change the life cycle forbids (409), and a
    ///   `ValidationError` on `organization_id` when the new status needs an assigned
    ///   subcontractor and there is none (422).
    public static func checkTransition(from: JobStatus, to: JobStatus, hasAssignee: Bool) throws {
        if from != to, !from.next.contains(to) {
            throw IllegalJobTransition(from: from, to: to)
        }
        if to.needsAssignee, !hasAssignee {
            throw ValidationError(
                field: "organization_id", code: "assignee_required",
                message: "a job that is \(to.rawValue) needs an assigned subcontractor: set organization_id")
        }
    }
}
