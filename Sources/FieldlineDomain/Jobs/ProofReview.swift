/// Where a proof of service stands: `submitted → accepted | rejected`.
public enum ProofReviewState: String, Sendable, Codable, CaseIterable {
    /// Recorded, waiting for someone to look at it.
    case submitted
    /// Good evidence. Final.
    case accepted
    /// Not good enough, with a reason. Final.
    case rejected
}

/// A review decision: accept, or reject with a reason.
public enum ProofDecision: String, Sendable, CaseIterable {
    /// Accept the proof.
    case accepted
    /// Reject the proof; a reason is required.
    case rejected

    /// The state a proof reaches with this decision.
    public var state: ProofReviewState {
        switch self {
        case .accepted: .accepted
        case .rejected: .rejected
        }
    }
}

/// A proof that was already reviewed (the API answers 409).
public struct ProofAlreadyReviewed: Error, Sendable, Equatable {
    /// Its state now.
    public let state: ProofReviewState

    /// A proof that is `state` already.
    public init(state: ProofReviewState) {
        self.state = state
    }

    /// A sentence for a person.
    public var message: String { "the proof was already reviewed: it is \(state.rawValue); a review is final" }
}

/// The proof review rules, without I/O.
public enum ProofReviewRules {
    /// Longest reason kept.
    public static let maxReasonLength = 2000

    /// What the crew is sent when their proof is rejected.
    public static func rejectionMessage(orderNumber: String, reason: String) -> String {
        "The proof for order \(orderNumber) was not accepted: \(reason). Please send new photos."
    }

    /// Checks a review and returns the cleaned reason (trimmed; nil when empty).
    /// - Throws: `ProofAlreadyReviewed` unless the proof is `submitted`; a `ValidationError` on
    ///   `reason` when rejecting without one or when it is too long.
    public static func check(current: ProofReviewState, decision: ProofDecision, reason: String?) throws -> String? {
        guard current == .submitted else { throw ProofAlreadyReviewed(state: current) }
        let cleaned = try Validate.optionalText(reason, field: "reason", maxLength: maxReasonLength)
        if decision == .rejected, cleaned == nil {
            throw ValidationError(field: "reason", code: "missing_field", message: "say why the proof is rejected: reason is required")
        }
        return cleaned
    }
}
