/// Where a flow run stands, saved with the run after each event: the step it waits on, its
/// variables, and the counters its timers and sends are keyed by.
public struct FlowRunState: Sendable, Equatable, Codable {
    /// The step the run waits on (an ask, a message with choices, an HTTP call); nil once over.
    public var stepID: String?
    public var status: FlowRunStatus
    public var variables: [String: FlowValue]
    /// Counts the waits: a timer names the visit it was set for, so a late one finds it stale.
    public var visit: Int
    /// Wrong answers to the current step.
    public var wrongAnswers: Int
    /// Reminders sent for the current step.
    public var remindersSent: Int
    /// Messages the run has sent: each send is keyed by run, step and this number, so it is
    /// queued once whatever retries.
    public var sends: Int

    /// A run about to start, with the variables it starts with (`FlowDefinition.contextVariables`).
    public init(variables: [String: FlowValue]) {
        stepID = nil
        status = .waiting
        self.variables = variables
        visit = 0
        wrongAnswers = 0
        remindersSent = 0
        sends = 0
    }

    enum CodingKeys: String, CodingKey {
        case status, variables, visit, sends
        case stepID = "step_id", wrongAnswers = "wrong_answers", remindersSent = "reminders_sent"
    }
}

/// A run's status.
public enum FlowRunStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for the member (or for an HTTP call's result).
    case waiting
    /// An agent replied: the bot stays quiet until the run is resumed or stopped.
    case paused
    /// Reached an `end` step.
    case completed
    /// Handed the conversation to people.
    case handedOff = "handed_off"
    /// Stopped by an agent or the API.
    case stopped
    /// Could not go on (a loop without a question, a step that vanished).
    case failed

    /// The run is over: it answers nothing and its timers are stale.
    public var isOver: Bool { self != .waiting && self != .paused }
}

/// What the member sent, as a run reads it.
public struct FlowAnswer: Sendable, Equatable {
    /// What kind of message it was.
    public enum Kind: Sendable, Equatable { case text, choice, image, location, other }

    public var kind: Kind
    public var text: String?
    /// A button's (or numbered answer's) choice id.
    public var choiceID: String?
    /// The stored message's id, which a photo is collected as.
    public var messageID: String?
    public var latitude: Double?
    public var longitude: Double?

    /// Creates an answer.
    public init(kind: Kind, text: String? = nil, choiceID: String? = nil, messageID: String? = nil, latitude: Double? = nil, longitude: Double? = nil) {
        self.kind = kind
        self.text = text
        self.choiceID = choiceID
        self.messageID = messageID
        self.latitude = latitude
        self.longitude = longitude
    }

    /// A text answer.
    public static func text(_ text: String) -> FlowAnswer { FlowAnswer(kind: .text, text: text) }
}

/// Something that happens to a run.
public enum FlowEvent: Sendable, Equatable {
    /// The run starts at the flow's first step.
    case start
    /// The member wrote.
    case answer(FlowAnswer)
    /// A reminder timer set during `visit` fell due.
    case reminder(visit: Int)
    /// A timeout set during `visit` fell due.
    case timeout(visit: Int)
    /// The HTTP call made during `visit` ended: its status (nil when it failed to complete) and JSON body.
    case httpResult(visit: Int, status: Int?, body: FlowValue?)
    /// An agent (or the API) stopped the run: it ends at once, saying nothing.
    case stop
    /// An agent resumed a paused run: the step it waits on is asked again, with fresh timers.
    case resume
    /// The run goes back to the `ask_photo` step `stepID` with no photo collected (a reviewer
    /// rejected the proof it made): asked again with fresh timers, also when the run was over; a
    /// paused run moves there but stays quiet until resumed.
    case restart(stepID: String)
}

/// What the server does for a run after an event, in order, in the event's transaction.
public enum FlowAction: Sendable, Equatable {
    /// Send a message to the member.
    case send(FlowOutgoing)
    /// Attach photos (message ids) and a location to the run's job as a proof.
    case attachProof(stepID: String, photos: [String], location: FlowValue?)
    /// Put the conversation in `teamID`'s queue (routing's fallback when nil); the bot goes quiet.
    case handoff(teamID: String?)
    /// Fire `event` after `minutes` (a delayed outbox row).
    case schedule(FlowTimer)
    /// Make the HTTP call of `stepID` and come back with `.httpResult(visit:)`.
    case callHTTP(stepID: String, visit: Int)
}

/// A timer a run asks for.
public struct FlowTimer: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case reminder, timeout }
    public let kind: Kind
    public let visit: Int
    public let minutes: Double

    /// Creates a timer of `kind` for `visit`, due after `minutes`.
    public init(kind: Kind, visit: Int, minutes: Double) {
        self.kind = kind
        self.visit = visit
        self.minutes = minutes
    }
}

/// A message a run sends.
public struct FlowOutgoing: Sendable, Equatable {
    /// The step that sends it and the run's send number: together with the run, its key.
    public let stepID: String
    public let sequence: Int
    public let content: ReplyContent

    /// Creates a message of `stepID`, the run's send number `sequence`.
    public init(stepID: String, sequence: Int, content: ReplyContent) {
        self.stepID = stepID
        self.sequence = sequence
        self.content = content
    }
}

/// A run's new state and what to do.
public struct FlowOutcome: Sendable, Equatable {
    public var state: FlowRunState
    public var actions: [FlowAction]
}
