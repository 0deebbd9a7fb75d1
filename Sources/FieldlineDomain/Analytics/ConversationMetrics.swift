import Foundation

/// What conversation analytics can be grouped by (none: one row for the whole tenant).
public enum AnalyticsDimension: String, Sendable, CaseIterable {
    /// The calendar day of the fact, in the requested time zone.
    case day
    /// The team holding the conversation at the time of the fact.
    case team
    /// The agent of the fact (see docs/search-and-analytics.md for which agent that is).
    case agent

    /// Parses `group_by`: a comma-separated list of dimensions, or `tenant` for one total row.
    public static func parseList(_ raw: String, field: String = "group_by") throws -> [AnalyticsDimension] {
        if raw == "tenant" { return [] }
        var result: [AnalyticsDimension] = []
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            guard let dimension = AnalyticsDimension(rawValue: part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError(field: field, message: "group_by must be tenant, or a comma-separated list of day, team, agent")
            }
            if !result.contains(dimension) { result.append(dimension) }
        }
        return allCases.filter(result.contains)
    }
}

/// Where a fact belongs: its day, team and agent (nil: no team, no agent, or not grouped).
public struct AnalyticsKey: Hashable, Sendable {
    /// `YYYY-MM-DD`.
    public var day: String?
    /// The team.
    public var teamID: UUID?
    /// The agent.
    public var agentID: UUID?

    /// Creates a key.
    public init(day: String?, teamID: UUID?, agentID: UUID?) {
        self.day = day
        self.teamID = teamID
        self.agentID = agentID
    }

    /// The key with the dimensions that are not grouped cleared.
    func projected(onto dimensions: [AnalyticsDimension]) -> AnalyticsKey {
        AnalyticsKey(
            day: dimensions.contains(.day) ? day : nil,
            teamID: dimensions.contains(.team) ? teamID : nil,
            agentID: dimensions.contains(.agent) ? agentID : nil)
    }

    /// Day, then team, then agent; "none" before any id.
    static func ordered(_ a: AnalyticsKey, _ b: AnalyticsKey) -> Bool {
        func text(_ id: UUID?) -> String { id?.uuidString ?? "" }
        return (a.day ?? "", text(a.teamID), text(a.agentID)) < (b.day ?? "", text(b.teamID), text(b.agentID))
    }
}

/// One stored fact that analytics count.
public enum ConversationFact: Sendable, Equatable {
    /// A conversation was opened.
    case opened
    /// The first human reply, `wait` seconds after opening (nil when the opening is unknown).
    case firstHumanReply(wait: Double?)
    /// A conversation was closed, `duration` seconds after opening.
    case closed(duration: Double?)
    /// Messages counted in and out.
    case messages(inbound: Int, outbound: Int)
}

/// Count, mean and 90th percentile of a set of durations in seconds.
public struct DurationSummary: Sendable, Equatable {
    /// How many durations.
    public let count: Int
    /// Their mean; nil when there are none.
    public let average: Double?
    /// Their 90th percentile (`Statistics.percentile`); nil when there are none.
    public let p90: Double?

    /// Summarises `values`.
    public init(_ values: [Double]) {
        count = values.count
        average = Statistics.mean(values)
        p90 = Statistics.percentile(values, 0.9)
    }
}

/// The metrics of one group.
public struct ConversationMetricsRow: Sendable, Equatable {
    /// The group (only grouped dimensions are set).
    public let key: AnalyticsKey
    /// Conversations opened.
    public let opened: Int
    /// Conversations closed.
    public let closed: Int
    /// Wait from opening to the first human reply, over the first replies in the group.
    public let firstReplyWait: DurationSummary
    /// Duration from opening to closing, over the conversations closed in the group.
    public let duration: DurationSummary
    /// Inbound messages.
    public let messagesIn: Int
    /// Outbound messages.
    public let messagesOut: Int
}

/// Adds up facts into rows grouped by the requested dimensions.
public struct ConversationMetricsBuilder: Sendable {
    private struct Accumulator: Sendable {
        var opened = 0, closed = 0, messagesIn = 0, messagesOut = 0
        var waits: [Double] = []
        var durations: [Double] = []
    }

    /// The grouping.
    public let dimensions: [AnalyticsDimension]
    private var groups: [AnalyticsKey: Accumulator] = [:]

    /// Starts with no facts.
    public init(groupBy dimensions: [AnalyticsDimension]) {
        self.dimensions = dimensions
    }

    /// Counts one fact that happened at `key`.
    public mutating func add(_ fact: ConversationFact, at key: AnalyticsKey) {
        let group = key.projected(onto: dimensions)
        var accumulator = groups[group] ?? Accumulator()
        switch fact {
        case .opened:
            accumulator.opened += 1
        case .firstHumanReply(let wait):
            if let wait { accumulator.waits.append(wait) }
        case .closed(let duration):
            accumulator.closed += 1
            if let duration { accumulator.durations.append(duration) }
        case .messages(let inbound, let outbound):
            accumulator.messagesIn += inbound
            accumulator.messagesOut += outbound
        }
        groups[group] = accumulator
    }

    /// The rows, ordered by day, team, agent.
    public func rows() -> [ConversationMetricsRow] {
        groups.keys.sorted(by: AnalyticsKey.ordered).map { key in
            let group = groups[key] ?? Accumulator()
            return ConversationMetricsRow(
                key: key, opened: group.opened, closed: group.closed,
                firstReplyWait: DurationSummary(group.waits), duration: DurationSummary(group.durations),
                messagesIn: group.messagesIn, messagesOut: group.messagesOut)
        }
    }
}
