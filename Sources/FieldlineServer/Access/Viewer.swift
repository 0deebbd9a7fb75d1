import Foundation

/// Who is looking: the tenant, and what narrows what they see (see `docs/tenancy.md`, "Inside
/// a tenant"). Agents see their own, their teams' and team-less unassigned conversations;
/// supervisors see those of members in their organization's subtree (all of the tenant's when
/// they belong to no organization); admins and API keys see all of the tenant's. The rules are
/// SQL fragments with bound values: `\(visibleConversations:)`, `\(visibleJobs:)`.
struct Viewer: Sendable {
    let tenantID: UUID
    /// Set when visibility is restricted (an agent).
    let restrictedToUser: UUID?
    /// Set for a supervisor: visibility follows their user's organization.
    var supervisor: UUID? = nil
    /// The user acting, if a user.
    let userID: UUID?

    /// A viewer with the given restriction and no supervisor scope.
    init(tenantID: UUID, restrictedToUser: UUID?, userID: UUID?) {
        self.tenantID = tenantID
        self.restrictedToUser = restrictedToUser
        self.userID = userID
    }

    /// The viewer a credential stands for: an agent is restricted to their own user, a
    /// supervisor scoped by their user's organization, anyone else sees the whole tenant.
    init(_ principal: Principal) {
        tenantID = principal.tenantID
        userID = principal.userID
        restrictedToUser = if case .user(let id, .agent) = principal.kind { id } else { nil }
        supervisor = if case .user(let id, .supervisor) = principal.kind { id } else { nil }
    }

    /// The same caller without team restrictions, for reading back the result of their change.
    init(unrestricted viewer: Viewer) {
        self.init(tenantID: viewer.tenantID, restrictedToUser: nil, userID: viewer.userID)
    }
}
