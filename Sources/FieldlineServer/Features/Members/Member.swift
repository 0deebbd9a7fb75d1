import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A person in an organization, reachable through messaging identities.
struct Member: ResponseEncodable, Sendable {
    let id: UUID
    let organizationId: UUID
    let name: String
    let phone: String?
    let email: String?
    let title: String?
    let identities: [MemberIdentity]
    let crewIds: [UUID]
    let createdAt: Date
    let updatedAt: Date

    /// The columns, with `$tenant(…)` placeholders: a statement interpolates them as `\(columns: …, tenant: tenantID)`.
    static let columns = TenantColumns("""
        m.id, m.organization_id, m.name, m.phone, m.email, m.title, m.created_at, m.updated_at,
        ARRAY(SELECT i.id FROM member_identities i WHERE i.tenant_id = m.tenant_id$tenant(i) AND i.member_id = m.id ORDER BY i.id),
        ARRAY(SELECT i.kind FROM member_identities i WHERE i.tenant_id = m.tenant_id$tenant(i) AND i.member_id = m.id ORDER BY i.id),
        ARRAY(SELECT i.external_id FROM member_identities i WHERE i.tenant_id = m.tenant_id$tenant(i) AND i.member_id = m.id ORDER BY i.id),
        ARRAY(SELECT c.crew_id FROM crew_members c WHERE c.tenant_id = m.tenant_id$tenant(c) AND c.member_id = m.id ORDER BY c.crew_id)
        """)

    init(row: PostgresRow) throws {
        let (id, organizationID, name, phone, email, title, createdAt, updatedAt, identityIDs, kinds, externalIDs, crewIDs) =
            try row.decode((UUID, UUID, String, String?, String?, String?, Date, Date, [UUID], [String], [String], [UUID]).self)
        self.id = id
        self.organizationId = organizationID
        self.name = name
        self.phone = phone
        self.email = email
        self.title = title
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.identities = zip(identityIDs, zip(kinds, externalIDs)).map { id, pair in
            MemberIdentity(id: id, kind: IdentityKind(rawValue: pair.0) ?? .app, externalId: pair.1)
        }
        self.crewIds = crewIDs
    }
}

/// One way to reach a member: a provider and the id the provider uses for them.
struct MemberIdentity: ResponseEncodable, Sendable, Equatable {
    let id: UUID
    let kind: IdentityKind
    let externalId: String
}

/// A validated identity to add.
struct NewIdentity: Sendable, Equatable {
    let kind: IdentityKind
    let externalID: String
}

/// A validated new member.
struct NewMember: Sendable {
    let organizationID: UUID
    let name: String
    let phone: String?
    let email: String?
    let title: String?
    let identities: [NewIdentity]
}

/// Changes to a member; nil/unchanged fields stay as they are.
struct MemberChanges: Sendable {
    var organizationID: UUID?
    var name: String?
    var phone: FieldUpdate<String> = .unchanged
    var email: FieldUpdate<String> = .unchanged
    var title: FieldUpdate<String> = .unchanged
}

/// Filters of the member list.
struct MemberFilter: Sendable {
    var organizationID: UUID?
    var crewID: UUID?
    var identityKind: IdentityKind?
    var externalID: String?
    var nameContains: String?
    var updatedSince: Date?
}
