/// Where routing left a conversation (`conversations.routing_state`).
public enum RoutingState: String, Sendable, Codable, CaseIterable {
    /// Not routed: routing is off, or an agent handled it by hand.
    case none
    /// The welcome menu was sent; the member's next message is read as the answer.
    case awaitingChoice = "awaiting_choice"
    /// Waiting in its team's queue for an agent.
    case queued
    /// Given to an agent by routing.
    case assigned

    /// Whether a member's inbound message is routed: only in a conversation that was just opened
    /// or is waiting for a menu answer; once routed (or handled by hand) nothing re-runs.
    public func routesInbound(conversationOpened: Bool) -> Bool {
        conversationOpened || self == .awaitingChoice
    }
}
