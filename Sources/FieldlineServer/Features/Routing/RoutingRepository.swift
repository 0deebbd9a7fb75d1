import FieldlineDomain
import Foundation

/// Storage of routing configuration and queues.
protocol RoutingRepository: Sendable {
    /// The tenant's settings (disabled defaults when none were saved).
    func settings(tenantID: UUID) async throws -> RoutingSettings
    /// Replaces the settings.
    func saveSettings(_ settings: RoutingSettings, tenantID: UUID) async throws -> RoutingSettings
    /// Every rule in match order.
    func rules(tenantID: UUID) async throws -> [RoutingRuleResource]
    /// Creates a rule.
    func createRule(_ rule: RoutingRuleInput, tenantID: UUID) async throws -> RoutingRuleResource
    /// Replaces a rule; nil when unknown.
    func replaceRule(_ id: UUID, with rule: RoutingRuleInput, tenantID: UUID) async throws -> RoutingRuleResource?
    /// Deletes a rule; false when unknown.
    func deleteRule(_ id: UUID, tenantID: UUID) async throws -> Bool
    /// A team's routing; nil for an unknown team.
    func teamRouting(_ team: UUID, tenantID: UUID) async throws -> TeamRouting?
    /// Changes a team's routing and runs its queue; nil for an unknown team.
    func setTeamRouting(_ team: UUID, to input: TeamRoutingInput, tenantID: UUID) async throws -> TeamRouting?
    /// The team's waiting conversations that the viewer may see, next first, with their places in
    /// the whole queue; nil for an unknown (or, to an agent, foreign) team.
    func queue(of team: UUID, viewer: Viewer) async throws -> [QueueEntry]?
    /// An agent's availability; nil for an unknown user.
    func availability(of user: UUID, tenantID: UUID) async throws -> AgentAvailability?
    /// Sets availability and/or capacity, then runs the agent's teams' queues; nil for an unknown user.
    func setAvailability(of user: UUID, online: Bool?, capacity: Int?, tenantID: UUID) async throws -> AgentAvailability?
}
