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
    /// The user with this (lowercased) email.
    func login(email: String) async throws -> StoredLogin?
    /// Records a successful login.
    func recordLogin(userID: UUID, tenantID: UUID) async throws
}
