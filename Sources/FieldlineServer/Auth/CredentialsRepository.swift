import FieldlineDomain
import Foundation

/// A user's stored login, found by email before the tenant is known.
struct StoredLogin: Sendable {
    let tenantID: UUID
    let userID: UUID
    let role: UserRole
    let passwordHash: String
    let disabled: Bool
}

/// Lookups that turn credentials into a principal. They start from the global lookup tables and
/// continue under the tenant's row-level security.
protocol CredentialsRepository: Sendable {
    /// The active API key with this SHA-256 hash, as a principal.
    func principal(forAPIKeyHash hash: [UInt8]) async throws -> Principal?
    /// The users with this (lowercased) email, one per tenant, at most `limit`, oldest tenant
    /// first; only the tenant with slug `tenant` when one is given.
    func logins(email: String, tenant: String?, limit: Int) async throws -> [StoredLogin]
    /// The current role and state of a user's account, or nil when the user no longer exists.
    func account(userID: UUID, tenantID: UUID) async throws -> AccountState?
    /// Records a successful login.
    func recordLogin(userID: UUID, tenantID: UUID) async throws
}
