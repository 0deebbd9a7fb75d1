/// What starts a flow by itself (besides the API, `POST /v1/flows/{id}/runs`): a keyword the
/// member sends, a conversation the member opens, a job of the member's organization moving to
/// a status (`assigned`, `in_progress`, `completed`), or the crew pressing "Job done".
///
/// ```json
/// [{"type": "keyword", "keywords": ["done", "terminado"]}, {"type": "job_status", "status": "assigned"}]
/// ```
public struct FlowTrigger: Sendable, Equatable, Codable {
    /// The kinds of trigger.
    public enum Kind: String, Sendable, CaseIterable {
        /// The member's whole message is one of `keywords` (ignoring case, accents and punctuation).
        case keyword
        /// The member writes for the first time since their last conversation closed.
        case newConversation = "new_conversation"
        /// A job moves to `status`: the run is for the job's crew's members (or, without a crew,
        /// the members of its organization who have an open conversation).
        case jobStatus = "job_status"
        /// The crew says a job is done by pressing "Job done" on the message that gave them the
        /// job (`JobDoneChoice`, or its number on SMS): the run is for that job.
        case jobDone = "job_done"
    }

    /// The job statuses a trigger may name.
    public static let jobStatuses: Set<String> = ["assigned", "in_progress", "completed"]
    /// Most keywords of one trigger.
    public static let maxKeywords = 20

    public var type: String
    public var keywords: [String]?
    public var status: String?

    /// Creates a trigger.
    public init(_ kind: Kind, keywords: [String]? = nil, status: String? = nil) {
        self.type = kind.rawValue
        self.keywords = keywords
        self.status = status
    }

    /// The kind, nil when `type` names none.
    public var kind: Kind? { Kind(rawValue: type) }

    /// Whether `text`, as a whole, is one of the trigger's keywords.
    public func matches(text: String) -> Bool {
        guard kind == .keyword else { return false }
        let words = RoutingText.words(text)
        guard !words.isEmpty else { return false }
        return (keywords ?? []).contains { RoutingText.words($0) == words }
    }

    /// Validated triggers for `definition` (at most 10), naming the field at fault
    /// (`triggers[1].status`). A flow that needs a job cannot start on a new conversation,
    /// which has none.
    public static func validate(_ triggers: [FlowTrigger], for definition: FlowDefinition) throws -> [FlowTrigger] {
        guard triggers.count <= 10 else { throw ValidationError(field: "triggers", code: "too_many", message: "at most 10 triggers") }
        return try triggers.enumerated().map { index, trigger in
            let field = "triggers[\(index)]"
            switch trigger.kind {
            case nil:
                throw ValidationError(field: "\(field).type", message: "type must be one of: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            case .keyword:
                let raw = trigger.keywords ?? []
                guard !raw.isEmpty, raw.count <= maxKeywords else {
                    throw ValidationError(field: "\(field).keywords", message: "a keyword trigger needs 1 to \(maxKeywords) keywords")
                }
                return FlowTrigger(.keyword, keywords: try RoutingRules.keywords(raw, field: "\(field).keywords"))
            case .newConversation:
                if definition.needsJob {
                    throw ValidationError(field: "\(field).type", message: "this flow needs a job (it attaches a proof or names the job), and a new conversation has none")
                }
                return FlowTrigger(.newConversation)
            case .jobStatus:
                guard let status = trigger.status, jobStatuses.contains(status) else {
                    throw ValidationError(field: "\(field).status", message: "status must be one of: \(jobStatuses.sorted().joined(separator: ", "))")
                }
                return FlowTrigger(.jobStatus, status: status)
            case .jobDone:
                return FlowTrigger(.jobDone)
            }
        }
    }
}
