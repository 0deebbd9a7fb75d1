import FieldlineDomain
import Foundation

/// Who is calling: a signed-in user or an integration's API key, always within one tenant.
public struct Principal: Sendable, Equatable {
    /// What kind of caller.
    public enum Kind: Sendable, Equatable {
        /// A user with a role.
        case user(id: UUID, role: UserRole)
        /// An API key with scopes.
        case apiKey(id: UUID)
    }

    /// The tenant every statement of this request is scoped to.
    public let tenantID: UUID
    /// User or key.
    public let kind: Kind
    /// What the caller may do.
    public let permissions: Set<Permission>

    /// A signed-in user.
    public static func user(_ id: UUID, tenantID: UUID, role: UserRole) -> Principal {
        Principal(tenantID: tenantID, kind: .user(id: id, role: role), permissions: Permission.granted(to: role))
    }

    /// An API key.
    public static func apiKey(_ id: UUID, tenantID: UUID, scopes: [Permission]) -> Principal {
        Principal(tenantID: tenantID, kind: .apiKey(id: id), permissions: Set(scopes))
    }

    /// A stable string for audit and idempotency records: `user:<id>` or `api_key:<id>`.
    public var reference: String {
        switch kind {
        case .user(let id, _): "user:\(id.uuidString.lowercased())"
        case .apiKey(let id): "api_key:\(id.uuidString.lowercased())"
        }
    }

    /// The user id when the caller is a user.
    public var userID: UUID? {
        if case .user(let id, _) = kind { return id }
        return nil
    }
}
