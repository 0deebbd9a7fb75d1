/// What a signed-in user may do, coarse-grained. Team visibility narrows it further.
public enum UserRole: String, Sendable, Codable, CaseIterable {
    /// Configures the tenant: users, teams, API keys, adapters, everything else.
    case admin
    /// Oversees agents; models the network; sees every conversation of the organization.
    case supervisor
    /// Handles conversations.
    case agent
}

/// A member's place in a team.
public enum TeamRole: String, Sendable, Codable, CaseIterable {
    /// Receives the team's work.
    case member
    /// Sees and manages the team's work.
    case supervisor
}

/// A permission checked at each endpoint. Users get them from their role, API keys from their
/// scopes.
public enum Permission: String, Sendable, CaseIterable {
    /// Read organizations, members, crews, service areas.
    case networkRead = "network:read"
    /// Create and change organizations, members, crews, service areas.
    case networkWrite = "network:write"
    /// Read users and teams.
    case usersRead = "users:read"
    /// Create and change users and teams.
    case usersWrite = "users:write"
    /// Create, list and revoke API keys.
    case apiKeysManage = "api_keys:manage"
    /// Read conversations and messages (within team visibility for agents).
    case conversationsRead = "conversations:read"
    /// Reply, add notes, close conversations.
    case conversationsWrite = "conversations:write"
    /// Post inbound messages as the built-in app adapter.
    case inboundWrite = "inbound:write"
    /// Connect and disconnect provider accounts (their credentials).
    case adaptersManage = "adapters:manage"
    /// Configure routing: the welcome menu, rules, messages, team hours and strategies.
    case routingManage = "routing:manage"
    /// Read conversation analytics of the whole tenant (every team and agent).
    case analyticsRead = "analytics:read"
    /// Read jobs (what an ERP pulls; part of a member's timeline).
    case jobsRead = "jobs:read"
    /// Create jobs, change them and move them through their life cycle.
    case jobsWrite = "jobs:write"
    /// Read proofs of service and their media metadata.
    case proofsRead = "proofs:read"
    /// Record proofs of service and review them.
    case proofsWrite = "proofs:write"
    /// Read the tenant's business event feed (every job, proof, conversation and message event).
    case eventsRead = "events:read"
    /// Register, change and remove webhook endpoints, and re-send their deliveries.
    case webhooksManage = "webhooks:manage"

    /// The permissions a user role grants.
    public static func granted(to role: UserRole) -> Set<Permission> {
        switch role {
        case .admin: Set(allCases).subtracting([.inboundWrite])
        case .supervisor: [
            .networkRead, .networkWrite, .usersRead, .conversationsRead, .conversationsWrite, .routingManage, .analyticsRead,
            .jobsRead, .jobsWrite, .proofsRead, .proofsWrite,
        ]
        case .agent: [.networkRead, .usersRead, .conversationsRead, .conversationsWrite, .jobsRead, .jobsWrite, .proofsRead, .proofsWrite]
        }
    }
}

/// The scopes an API key may carry. Keys cannot manage other keys.
public enum APIKeyScope {
    /// Every scope a key may be given: not key management, not provider credentials.
    public static let all: [Permission] = Permission.allCases.filter { $0 != .apiKeysManage && $0 != .adaptersManage }

    /// Parses requested scope strings, refusing unknown ones by name.
    public static func parse(_ raw: [String], field: String = "scopes") throws -> [Permission] {
        guard !raw.isEmpty else {
            throw ValidationError(field: field, message: "at least one scope is required")
        }
        var result: [Permission] = []
        for value in raw {
            guard let scope = Permission(rawValue: value), all.contains(scope) else {
                let allowed = all.map(\.rawValue).joined(separator: ", ")
                throw ValidationError(field: field, message: "unknown scope '\(value)'; allowed: \(allowed)")
            }
            if !result.contains(scope) { result.append(scope) }
        }
        return result
    }
}
