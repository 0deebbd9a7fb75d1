import Foundation

/// How a team shares its waiting conversations among its agents.
public enum AssignmentStrategy: String, Sendable, Codable, CaseIterable {
    /// In turn, continuing after the agent who got the last one.
    case roundRobin = "round_robin"
    /// To the agent with the fewest open conversations (ties in turn).
    case leastBusy = "least_busy"
}

/// An agent who could take work, with their load.
public struct AgentLoad: Sendable, Equatable {
    /// The user id.
    public let userID: UUID
    /// Conversations assigned to them and not closed.
    public var openConversations: Int
    /// Their limit of open conversations.
    public let capacity: Int
    /// Online now; offline agents are skipped.
    public let online: Bool

    /// An agent's load.
    public init(userID: UUID, openConversations: Int, capacity: Int, online: Bool) {
        self.userID = userID
        self.openConversations = openConversations
        self.capacity = capacity
        self.online = online
    }

    var canTakeMore: Bool { online && openConversations < capacity }
}

/// Decides who gets which waiting conversation, with no I/O.
public enum AssignmentPlanner {
    /// One decision: this conversation to this agent.
    public struct Assignment: Sendable, Equatable {
        /// The conversation.
        public let conversationID: UUID
        /// The agent.
        public let userID: UUID

        /// One decision.
        public init(conversationID: UUID, userID: UUID) {
            self.conversationID = conversationID
            self.userID = userID
        }
    }

    /// Gives `waiting` (oldest first) to agents who are online and under capacity, by `strategy`;
    /// stops when nobody can take more. `lastAssigned` is where round-robin continues from.
    public static func plan(
        waiting: [UUID], agents: [AgentLoad], strategy: AssignmentStrategy, lastAssigned: UUID?
    ) -> [Assignment] {
        // Turn order: by user id, starting after the last agent served.
        var order = agents.sorted { $0.userID.uuidString < $1.userID.uuidString }
        if let lastAssigned, let index = order.firstIndex(where: { $0.userID == lastAssigned }) {
            order = Array(order[(index + 1)...] + order[...index])
        }
        var result: [Assignment] = []
        for conversation in waiting {
            let candidates = order.indices.filter { order[$0].canTakeMore }
            let chosen: Int? = switch strategy {
            case .roundRobin: candidates.first
            case .leastBusy: candidates.min { order[$0].openConversations < order[$1].openConversations }
            }
            guard let chosen else { break }
            let agent = order[chosen]
            result.append(Assignment(conversationID: conversation, userID: agent.userID))
            var served = agent
            served.openConversations += 1
            // The agent just served goes to the back of the turn order.
            order.remove(at: chosen)
            order.append(served)
        }
        return result
    }
}
