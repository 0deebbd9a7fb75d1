/// The kinds of business event the event log records, the feed serves and webhooks deliver
/// (docs/events.md). Each names the resource its body is: the resource as the API returns it.
public enum BusinessEventType: String, Sendable, Codable, CaseIterable {
    case conversationOpened = "conversation.opened"
    case conversationAssigned = "conversation.assigned"
    case conversationClosed = "conversation.closed"
    case messageReceived = "message.received"
    case jobCreated = "job.created"
    case jobOffered = "job.offered"
    case jobAssigned = "job.assigned"
    case jobStarted = "job.started"
    case jobCompleted = "job.completed"
    case jobCancelled = "job.cancelled"
    case jobExpired = "job.expired"
    case offerAccepted = "offer.accepted"
    case offerDeclined = "offer.declined"
    case proofCreated = "proof.created"
    case proofReviewed = "proof.reviewed"

    /// The kind of resource the body holds: `conversation`, `message`, `job`, `offer`, `proof`.
    public var resourceType: String { String(rawValue.prefix { $0 != "." }) }

    /// The event a job's move into `status` makes; nil for `open` (a job back to open is a
    /// withdrawn offer or a released subcontractor, told by the offer's own events).
    public static func job(enteredStatus status: JobStatus) -> BusinessEventType? {
        switch status {
        case .open: nil
        case .offered: .jobOffered
        case .assigned: .jobAssigned
        case .inProgress: .jobStarted
        case .completed: .jobCompleted
        case .cancelled: .jobCancelled
        case .expired: .jobExpired
        }
    }

    /// Parses a comma-separated list of types (`types=job.assigned,proof.created`); a `*` suffix
    /// matches a family (`job.*`). Throws naming the first unknown one.
    public static func parseList(_ raw: String, field: String = "types") throws -> [BusinessEventType] {
        try parse(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }, field: field)
    }

    /// Parses type names (`job.assigned`, or a family `job.*`), refusing unknown ones by name.
    public static func parse(_ names: [String], field: String = "types") throws -> [BusinessEventType] {
        var result: [BusinessEventType] = []
        for name in names {
            let matches: [BusinessEventType]
            if name.hasSuffix(".*") {
                let family = String(name.dropLast(2))
                matches = allCases.filter { $0.resourceType == family }
            } else {
                matches = BusinessEventType(rawValue: name).map { [$0] } ?? []
            }
            guard !matches.isEmpty else {
                throw ValidationError(field: field, message: "unknown event type '\(name)'; known: \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for type in matches where !result.contains(type) { result.append(type) }
        }
        return result
    }
}
