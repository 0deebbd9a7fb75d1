import FieldlineDomain
import Foundation

/// A period of conversation analytics: [from, to), with days counted in `timeZone`.
struct AnalyticsPeriod: Sendable {
    let from: Date
    let to: Date
    /// An IANA time zone name (`Europe/Madrid`), for the `day` dimension.
    let timeZone: String
}

/// Conversation analytics, computed from stored facts only: the append-only
/// `conversation_events` log and the messages' creation times.
protocol AnalyticsRepository: Sendable {
    /// Every fact of the period with the day, team and agent it belongs to, added into `builder`.
    func conversationMetrics(
        _ period: AnalyticsPeriod, into builder: ConversationMetricsBuilder, tenantID: UUID
    ) async throws -> ConversationMetricsBuilder
    /// Names of the given teams and users (deleted ones are absent).
    func names(teams: [UUID], users: [UUID], tenantID: UUID) async throws -> (teams: [UUID: String], users: [UUID: String])
}

/// Why analytics could not run.
enum AnalyticsError: Error, Equatable {
    /// PostgreSQL does not know the time zone.
    case unknownTimeZone
}
