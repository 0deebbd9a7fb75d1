/// One step of a flow. One shape for every kind (`type`); each kind reads the fields it needs
/// and `FlowValidator` refuses missing ones, naming the step and the field.
public struct FlowStep: Sendable, Equatable, Codable {
    /// Unique within the flow: letters, digits, `_` and `-`.
    public var id: String
    /// The kind as written (`FlowStepKind`'s raw value); an unknown one fails validation.
    public var type: String
    public var text: String?
    public var choices: [FlowChoice]?
    public var imageURL: String?
    public var location: ReplyLocation?
    /// The step after this one (for a choice, the choice's own `next` comes first).
    public var next: String?
    /// The variable an answer (or an HTTP result) is saved in.
    public var saveAs: String?
    /// `ask_number`'s range.
    public var min: Double?
    public var max: Double?
    /// `ask_photo`'s counts (default 1 and `min_count`).
    public var minCount: Int?
    public var maxCount: Int?
    /// Wrong answers re-prompted before the run gives up (default 2).
    public var retries: Int?
    /// Where a run goes after too many wrong answers (a handoff when nil).
    public var onFail: String?
    public var reminders: FlowReminders?
    public var timeout: FlowTimeout?
    /// `branch` and `set`: the variable (a dotted path for `branch`).
    public var variable: String?
    public var cases: [FlowCase]?
    /// `branch`: where no case matched.
    public var otherwise: String?
    /// `set`: the text saved (with `{{variables}}`).
    public var value: String?
    /// `attach_proof`: the variables holding photos and a location.
    public var photosFrom: String?
    public var locationFrom: String?
    /// `handoff`: the team (the flow's `handoff_team_id` when nil).
    public var teamID: String?
    /// `http`: the request.
    public var method: String?
    public var url: String?
    public var headers: [String: String]?
    public var body: String?
    public var timeoutSeconds: Double?
    public var onError: String?

    /// A step of `kind` with the given fields; the rest are nil.
    public init(id: String, _ kind: FlowStepKind, text: String? = nil, next: String? = nil) {
        self.id = id
        self.type = kind.rawValue
        self.text = text
        self.next = next
    }

    /// The kind, nil when `type` names none.
    public var kind: FlowStepKind? { FlowStepKind(rawValue: type) }

    /// Every text of the step that may hold `{{variables}}`, with its field.
    public var texts: [(field: String, text: String)] {
        var result: [(String, String)] = []
        if let text { result.append(("text", text)) }
        if let value { result.append(("value", value)) }
        if let url { result.append(("url", url)) }
        if let body { result.append(("body", body)) }
        if let text = reminders?.text { result.append(("reminders.text", text)) }
        for (name, value) in (headers ?? [:]).sorted(by: { $0.key < $1.key }) { result.append(("headers.\(name)", value)) }
        return result
    }

    enum CodingKeys: String, CodingKey {
        case id, type, text, choices, location, next, min, max, retries, reminders, timeout, variable, cases, otherwise, value
        case method, url, headers, body
        case imageURL = "image_url", saveAs = "save_as", minCount = "min_count", maxCount = "max_count", onFail = "on_fail"
        case photosFrom = "photos_from", locationFrom = "location_from", teamID = "team_id"
        case timeoutSeconds = "timeout_seconds", onError = "on_error"
    }
}

/// An option of a `message` or `ask_choice` step.
public struct FlowChoice: Sendable, Equatable, Codable {
    /// Saved as the answer; stable across versions.
    public var id: String
    public var title: String
    /// Where the choice leads (the step's `next` when nil).
    public var next: String?

    /// Creates a choice.
    public init(id: String, title: String, next: String? = nil) {
        self.id = id
        self.title = title
        self.next = next
    }
}

/// Reminders while the member is silent: after `after_minutes`, up to `max` times.
public struct FlowReminders: Sendable, Equatable, Codable {
    public var afterMinutes: Double
    public var max: Int
    /// What is said (the step's prompt again when nil).
    public var text: String?

    /// Creates reminders.
    public init(afterMinutes: Double, max: Int, text: String? = nil) {
        self.afterMinutes = afterMinutes
        self.max = max
        self.text = text
    }

    enum CodingKeys: String, CodingKey { case max, text, afterMinutes = "after_minutes" }
}

/// Giving up on an answer after `after_minutes` of waiting, going to `next`.
public struct FlowTimeout: Sendable, Equatable, Codable {
    public var afterMinutes: Double
    public var next: String?

    /// Creates a timeout.
    public init(afterMinutes: Double, next: String?) {
        self.afterMinutes = afterMinutes
        self.next = next
    }

    enum CodingKeys: String, CodingKey { case next, afterMinutes = "after_minutes" }
}

/// A condition of a `branch` step, on its variable: the first that holds leads to `next`.
public struct FlowCase: Sendable, Equatable, Codable {
    /// The value's text equals this (ignoring case and surrounding spaces).
    public var equals: String?
    /// The value is a number greater than / less than this.
    public var greaterThan: Double?
    public var lessThan: Double?
    /// The variable has (true) or has no (false) non-empty value.
    public var exists: Bool?
    public var next: String?

    /// Creates a case.
    public init(equals: String? = nil, greaterThan: Double? = nil, lessThan: Double? = nil, exists: Bool? = nil, next: String?) {
        self.equals = equals
        self.greaterThan = greaterThan
        self.lessThan = lessThan
        self.exists = exists
        self.next = next
    }

    /// Whether the condition holds for `value`.
    public func holds(for value: FlowValue?) -> Bool {
        let present = value.map { $0 != .null && !$0.text.isEmpty } ?? false
        if let exists, exists != present { return false }
        if let equals, value?.text.trimmingWhitespace().lowercased() != equals.trimmingWhitespace().lowercased() { return false }
        if let greaterThan, !(value?.number.map { $0 > greaterThan } ?? false) { return false }
        if let lessThan, !(value?.number.map { $0 < lessThan } ?? false) { return false }
        return true
    }

    enum CodingKeys: String, CodingKey { case equals, exists, next, greaterThan = "greater_than", lessThan = "less_than" }
}
