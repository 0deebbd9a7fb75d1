import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A company in a tenant's network, as the API shows it.
struct Organization: ResponseEncodable, Sendable, Equatable {
    let id: UUID
    let kind: OrganizationKind
    let name: String
    let parentId: UUID?
    /// Ids from the root down to this organization, itself included.
    let path: [UUID]
    let depth: Int
    let tags: [String]
    let externalRef: String?
    let createdAt: Date
    let updatedAt: Date

    /// The columns `init(row:)` reads, in order.
    static let columns = "id, kind, name, parent_id, path, tags, external_ref, created_at, updated_at"

    init(row: PostgresRow) throws {
        let (id, kind, name, parentID, path, tags, externalRef, createdAt, updatedAt) =
            try row.decode((UUID, String, String, UUID?, [UUID], [String], String?, Date, Date).self)
        self.id = id
        self.kind = OrganizationKind(rawValue: kind) ?? .company
        self.name = name
        self.parentId = parentID
        self.path = path
        self.depth = path.count - 1
        self.tags = tags
        self.externalRef = externalRef
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A validated new organization.
struct NewOrganization: Sendable {
    let kind: OrganizationKind
    let name: String
    let parentID: UUID?
    let tags: [String]
    let externalRef: String?
}

/// Changes to an organization; nil fields stay as they are. `parent` moves the subtree.
struct OrganizationChanges: Sendable {
    let name: String?
    let tags: [String]?
    let externalRef: FieldUpdate<String>
    let parent: FieldUpdate<UUID>
}

/// Filters of the organization list.
struct OrganizationFilter: Sendable {
    var kind: OrganizationKind?
    var parentID: UUID?
    var tag: String?
    var nameContains: String?
    var updatedSince: Date?
}

/// A horizontal link between two peer organizations.
struct OrganizationRelation: ResponseEncodable, Sendable {
    let organizationId: UUID
    let peerId: UUID
    let kind: String
    let createdAt: Date
}
