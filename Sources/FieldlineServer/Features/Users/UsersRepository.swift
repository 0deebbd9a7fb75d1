import FieldlineDomain
import Foundation

/// Storage of users within a tenant.
protocol UsersRepository: Sendable {
    /// Creates a user; 409 when the email is taken in this tenant (other tenants' users are
    /// neither visible nor in the way: emails are unique per tenant).
    func create(_ new: NewUser, tenantID: UUID) async throws -> User
    /// One user, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> User?
    /// Users, newest first, optionally by role or name/email fragment.
    func list(role: UserRole?, query: String?, page: PageRequest, tenantID: UUID) async throws -> [User]
    /// Applies changes; nil when unknown.
    func update(_ id: UUID, _ changes: UserChanges, tenantID: UUID) async throws -> User?
}
