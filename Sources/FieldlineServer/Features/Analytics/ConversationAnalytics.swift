import FieldlineDomain
import Foundation
import Hummingbird

/// The JSON answer of `GET /v1/analytics/conversations`.
struct ConversationAnalytics: ResponseEncodable, Sendable {
    let from: Date
    let to: Date
    /// The time zone of `day`.
    let tz: String
    let groupBy: [String]
    let data: [Row]

    /// One group's metrics; only the grouped dimensions' keys are present.
    struct Row: Encodable, Sendable {
        let metrics: ConversationMetricsRow
        let dimensions: [AnalyticsDimension]
        let teamName: String?
        let agentName: String?

        enum CodingKeys: String, CodingKey {
            case day, teamId, teamName, agentId, agentName, conversationsOpened, conversationsClosed
            case firstReplyWaitSeconds, durationSeconds, messagesIn, messagesOut
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            let key = metrics.key
            if dimensions.contains(.day) { try container.encode(key.day, forKey: .day) }
            if dimensions.contains(.team) {
                try container.encode(key.teamID, forKey: .teamId)
                try container.encode(teamName, forKey: .teamName)
            }
            if dimensions.contains(.agent) {
                try container.encode(key.agentID, forKey: .agentId)
                try container.encode(agentName, forKey: .agentName)
            }
            try container.encode(metrics.opened, forKey: .conversationsOpened)
            try container.encode(metrics.closed, forKey: .conversationsClosed)
            try container.encode(Summary(metrics.firstReplyWait), forKey: .firstReplyWaitSeconds)
            try container.encode(Summary(metrics.duration), forKey: .durationSeconds)
            try container.encode(metrics.messagesIn, forKey: .messagesIn)
            try container.encode(metrics.messagesOut, forKey: .messagesOut)
        }
    }

    /// `{"count", "average", "p90"}`, the last two null when count is 0.
    struct Summary: Encodable, Sendable {
        let count: Int
        let average: Double?
        let p90: Double?

        init(_ summary: DurationSummary) {
            count = summary.count
            average = summary.average.map(Self.millis)
            p90 = summary.p90.map(Self.millis)
        }

        static func millis(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

        enum CodingKeys: String, CodingKey { case count, average, p90 }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(count, forKey: .count)
            try container.encode(average, forKey: .average)
            try container.encode(p90, forKey: .p90)
        }
    }
}
