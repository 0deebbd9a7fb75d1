import Foundation

/// Storage of members and their identities within a tenant.
protocol MembersRepository: Sendable {
    /// Creates a member with identities; 409 when an identity belongs to someone else.
    func create(_ new: NewMember, tenantID: UUID) async throws -> Member
    /// One member, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> Member?
    /// Members matching a filter, newest first.
    func list(_ filter: MemberFilter, page: PageRequest, tenantID: UUID) async throws -> [Member]
    /// Applies changes; nil when unknown.
    func update(_ id: UUID, _ changes: MemberChanges, tenantID: UUID) async throws -> Member?
    /// Deletes a member and their identities; false when unknown.
    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool
    /// Adds an identity; nil when the member is unknown.
    func addIdentity(_ identity: NewIdentity, to memberID: UUID, tenantID: UUID) async throws -> MemberIdentity?
    /// Removes an identity; false when unknown.
    func removeIdentity(_ identityID: UUID, from memberID: UUID, tenantID: UUID) async throws -> Bool
}
