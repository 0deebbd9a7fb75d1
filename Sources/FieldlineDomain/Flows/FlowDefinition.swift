/// A flow as tenants write it: JSON, versioned by `format`, a list of steps that name each other
/// by id. `FlowValidator` checks it when it is saved, so it cannot break at run time.
///
/// ```json
/// {"format": 1, "start": "ask_photos", "steps": [
///   {"id": "ask_photos", "type": "ask_photo", "text": "Send photos of {{order_number}}",
///    "min_count": 1, "max_count": 5, "save_as": "photos", "next": "thanks"},
///   {"id": "thanks", "type": "end", "text": "Thanks!"}]}
/// ```
public struct FlowDefinition: Sendable, Equatable, Codable {
    /// The only format this server reads.
    public static let currentFormat = 1
    /// Most steps in one flow.
    public static let maxSteps = 200

    /// The definition format's version (1).
    public var format: Int
    /// The id of the first step.
    public var start: String
    /// The steps, in any order.
    public var steps: [FlowStep]
    /// The team a run hands off to when a step names none (a failed answer, a `handoff` step
    /// without `team_id`); without one the conversation goes to routing's fallback.
    public var handoffTeamID: String?

    /// Creates a definition.
    public init(format: Int = FlowDefinition.currentFormat, start: String, steps: [FlowStep], handoffTeamID: String? = nil) {
        self.format = format
        self.start = start
        self.steps = steps
        self.handoffTeamID = handoffTeamID
    }

    /// The step with `id`.
    public func step(_ id: String) -> FlowStep? { steps.first { $0.id == id } }

    /// The variables every run has from its start: the member's, and its job's when it has one.
    public static let contextVariables: Set<String> = ["member_name", "job_id", "order_number", "crew_code", "job_address"]

    /// Whether a run needs a job: the flow attaches a proof or speaks of the job.
    public var needsJob: Bool {
        steps.contains { step in
            step.kind == .attachProof
                || step.texts.contains { FlowTemplate.variables(in: $0.text).contains { ["job_id", "order_number", "crew_code", "job_address"].contains(FlowTemplate.root(of: $0)) } }
        }
    }

    /// The `ask_photo` step that collects the photos of the flow's proof: the one whose `save_as`
    /// is the `photos_from` of the first `attach_proof` step (in the definition's order); nil when
    /// the flow attaches no proof of photos. A rejected proof restarts a run here.
    public var proofPhotoStep: String? {
        for attach in steps where attach.kind == .attachProof {
            guard let variable = attach.photosFrom else { continue }
            if let ask = steps.first(where: { $0.kind == .askPhoto && $0.saveAs == variable }) { return ask.id }
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case format, start, steps
        case handoffTeamID = "handoff_team_id"
    }
}

/// What a step does.
public enum FlowStepKind: String, Sendable, CaseIterable {
    /// Sends text (with `{{variables}}`), an image or a location; with choices it waits for one.
    case message
    case askText = "ask_text"
    case askChoice = "ask_choice"
    /// A number, optionally between `min` and `max`.
    case askNumber = "ask_number"
    /// A date (`YYYY-MM-DD`, `DD/MM/YYYY`, "today", "tomorrow"), saved as `YYYY-MM-DD`.
    case askDate = "ask_date"
    /// Between `min_count` and `max_count` photos, over as many messages as the member needs.
    case askPhoto = "ask_photo"
    case askLocation = "ask_location"
    /// Goes to the first case whose condition holds for `variable`, else to `otherwise`.
    case branch
    /// Sets `variable` to `value` (a text with `{{variables}}`).
    case set
    /// Attaches the photos in `photos_from` and the location in `location_from` to the run's job as a proof.
    case attachProof = "attach_proof"
    /// Calls an external HTTP API and saves `{status, body}`; goes to `on_error` on a failure.
    case http
    /// Puts the conversation in a team's queue; the bot goes quiet.
    case handoff
    /// Ends the run, optionally saying `text`.
    case end

    /// The step waits for the member.
    public var asks: Bool {
        switch self {
        case .askText, .askChoice, .askNumber, .askDate, .askPhoto, .askLocation: true
        default: false
        }
    }
}
