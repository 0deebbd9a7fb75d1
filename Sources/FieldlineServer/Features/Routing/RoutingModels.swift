import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A routing rule as the API shows it.
struct RoutingRuleResource: ResponseEncodable, Sendable {
    let id: UUID
    let teamId: UUID
    let label: String
    let menuNumber: Int?
    /// As stored: lower case, without accents.
    let keywords: [String]
    let createdAt: Date

    static let columns = "id, team_id, label, menu_number, keywords, created_at"

    init(row: PostgresRow) throws {
        (id, teamId, label, menuNumber, keywords, createdAt) = try row.decode((UUID, UUID, String, Int?, [String], Date).self)
    }
}

/// A rule to create or replace (validated).
struct RoutingRuleInput: Sendable {
    let teamID: UUID
    let label: String
    let menuNumber: Int?
    let keywords: [String]
}

/// How a team takes routed work.
struct TeamRouting: ResponseEncodable, Sendable {
    let teamId: UUID
    let assignmentStrategy: AssignmentStrategy
    let timeZone: String
    /// nil: always open.
    let businessHours: [BusinessHours.Interval]?
    let expectedHandleMinutes: Int
    /// Whether the team is within its business hours now.
    let openNow: Bool
    /// When it next opens, if closed now.
    let nextOpening: Date?

    init(_ state: TeamRoutingState, now: Date = Date()) {
        teamId = state.id
        assignmentStrategy = state.strategy
        timeZone = state.timeZone.identifier
        businessHours = state.hours?.intervals
        expectedHandleMinutes = state.expectedHandleMinutes
        openNow = state.isOpen(at: now)
        nextOpening = openNow ? nil : state.nextOpening(after: now)
    }
}

/// A validated change to a team's routing.
struct TeamRoutingInput: Sendable {
    let strategy: AssignmentStrategy
    let timeZone: TimeZone
    let hours: BusinessHours?
    let expectedHandleMinutes: Int
}

/// A conversation waiting in a team's queue.
struct QueueEntry: ResponseEncodable, Sendable {
    let conversationId: UUID
    let memberId: UUID
    /// 1 = next to be taken.
    let position: Int
    let queuedAt: Date
    let estimatedWaitSeconds: Int
}

/// Whether an agent takes routed work, and how much.
struct AgentAvailability: ResponseEncodable, Sendable {
    let userId: UUID
    let availability: String
    let maxOpenConversations: Int
    let openConversations: Int
}
