import Foundation
import PostgresNIO

/// Which conversations a viewer sees, as a condition on the conversation `c` whose values are
/// bound parameters: `WHERE c.tenant_id = \(tenantID) AND \(visibleConversations: viewer)`.
/// The statement text differs by kind of viewer (agent, supervisor, anyone else), never by
/// their ids, so each kind plans as the literal SQL it replaced did. On Citus each subquery also
/// names the viewer's tenant as a value (`$tenant(…)`), so the statement stays on one shard.
extension PostgresQuery.StringInterpolation {
    /// Agents: assigned to them, to one of their teams, or to nobody and no team. Supervisors:
    /// conversations of members in their organization's subtree, or all when their user has no
    /// organization. Admins and API keys: all. Parenthesised, so it can follow `AND` or `OR`.
    mutating func appendInterpolation(visibleConversations viewer: Viewer) {
        if let supervisor = viewer.supervisor {
            appendFragment("""
                (NOT EXISTS (SELECT 1 FROM users su WHERE su.tenant_id = c.tenant_id$tenant(su) AND su.id = $viewer AND su.organization_id IS NOT NULL)
                 OR EXISTS (
                    SELECT 1 FROM users su
                    JOIN members sm ON sm.tenant_id = su.tenant_id AND sm.id = c.member_id
                    JOIN organizations so ON so.tenant_id = sm.tenant_id AND so.id = sm.organization_id
                    WHERE su.tenant_id = c.tenant_id$tenant(su) AND su.id = $viewer AND so.path @> ARRAY[su.organization_id]))
                """, viewer: supervisor, tenant: viewer.tenantID)
        } else if let user = viewer.restrictedToUser {
            appendFragment("""
                (c.assignee_id = $viewer OR (c.team_id IS NULL AND c.assignee_id IS NULL)
                 OR c.team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.tenant_id = c.tenant_id$tenant(tm) AND tm.user_id = $viewer))
                """, viewer: user, tenant: viewer.tenantID)
        } else {
            appendLiteral("true")
        }
    }

    /// An agent also hears, on the stream event `e`, that a conversation was assigned away from
    /// them, their team, or the shared unassigned pool, so their queue can drop it; nobody else
    /// needs to (they see the conversation anyway, or never saw it).
    mutating func appendInterpolation(formerHolder viewer: Viewer) {
        guard let user = viewer.restrictedToUser else { return appendLiteral("false") }
        appendFragment("""
            (e.kind = 'conversation.assigned' AND (
                e.prior_assignee_id = $viewer OR (e.prior_assignee_id IS NULL AND e.prior_team_id IS NULL)
                OR e.prior_team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.tenant_id = e.tenant_id$tenant(tm) AND tm.user_id = $viewer)))
            """, viewer: user, tenant: viewer.tenantID)
    }
}
