import Foundation
import FieldlineDomain

/// Storage of organizations, their hierarchy and horizontal relations, always within a tenant.
protocol OrganizationsRepository: Sendable {
    /// Creates an organization; throws 422 when the parent is unknown.
    func create(_ new: NewOrganization, tenantID: UUID) async throws -> Organization
    /// One organization, or nil.
    func get(_ id: UUID, tenantID: UUID) async throws -> Organization?
    /// Organizations matching a filter, newest first.
    func list(_ filter: OrganizationFilter, page: PageRequest, tenantID: UUID) async throws -> [Organization]
    /// Applies changes (moving the subtree when the parent changes); nil when unknown.
    func update(_ id: UUID, _ changes: OrganizationChanges, tenantID: UUID) async throws -> Organization?
    /// Deletes a leaf organization with nothing attached; false when unknown.
    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool
    /// Every descendant of `id` (not itself), newest first; nil when `id` is unknown.
    func subtree(of id: UUID, kind: OrganizationKindFilter, page: PageRequest, tenantID: UUID) async throws -> [Organization]?
    /// The ancestors of `id`, root first; nil when `id` is unknown.
    func ancestors(of id: UUID, tenantID: UUID) async throws -> [Organization]?
    /// The horizontal relations of `id`; nil when `id` is unknown.
    func relations(of id: UUID, tenantID: UUID) async throws -> [OrganizationRelation]?
    /// Links two peers; nil when either is unknown.
    func relate(_ id: UUID, to peerID: UUID, kind: String, tenantID: UUID) async throws -> OrganizationRelation?
    /// Removes a link; false when there was none.
    func unrelate(_ id: UUID, from peerID: UUID, tenantID: UUID) async throws -> Bool
}

/// An optional organization-kind filter.
typealias OrganizationKindFilter = OrganizationKind?
