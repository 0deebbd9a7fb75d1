import FieldlineDomain
import Foundation
import PostgresNIO

/// Which jobs a viewer sees, as a condition on the job `j` whose values are bound parameters:
/// `WHERE j.tenant_id = \(tenantID) AND \(visibleJobs: viewer)`. A user with an organization
/// sees the jobs assigned to a subcontractor in their organization's subtree, plus the jobs
/// linked to a conversation they can see; everyone else (tenant staff, API keys) sees all of
/// the tenant's jobs. Proofs follow their job: join it as `j` and use the same condition.
extension PostgresQuery.StringInterpolation {
    /// The job `j` is visible to `viewer`. Parenthesised, so it can follow `AND` or `OR`.
    mutating func appendInterpolation(visibleJobs viewer: Viewer) {
        guard let user = viewer.userID else { return appendLiteral("true") }
        appendFragment("""
            (NOT EXISTS (SELECT 1 FROM users vu WHERE vu.tenant_id = j.tenant_id$tenant(vu) AND vu.id = $viewer AND vu.organization_id IS NOT NULL)
             OR EXISTS (
                SELECT 1 FROM users vu
                JOIN organizations vo ON vo.tenant_id = vu.tenant_id AND vo.id = j.organization_id
                WHERE vu.tenant_id = j.tenant_id$tenant(vu) AND vu.id = $viewer AND vo.path @> ARRAY[vu.organization_id])
             OR EXISTS (
                SELECT 1 FROM conversations c WHERE c.tenant_id = j.tenant_id$tenant(c) AND c.id = j.conversation_id
            """, viewer: user, tenant: viewer.tenantID)
        appendLiteral(" AND ")
        appendInterpolation(visibleConversations: viewer)
        appendLiteral("))")
    }
}

/// Checks of what a restricted viewer may do with jobs (`\(visibleJobs:)` says what they see).
enum JobVisibility {
    /// Refuses a subcontractor outside the viewer's organization's subtree (422 on
    /// `organization_id`): a restricted viewer cannot hand a job to someone they cannot see.
    static func requireAssignable(_ organizationID: UUID, viewer: Viewer, _ connection: PostgresConnection, logger: Logger) async throws {
        guard let user = viewer.userID else { return }
        let allowed = try await connection.query("""
            SELECT 1 FROM users vu
            JOIN organizations vo ON vo.tenant_id = vu.tenant_id AND vo.id = \(organizationID)
            WHERE vu.tenant_id = \(viewer.tenantID) AND vu.id = \(user)
              AND (vu.organization_id IS NULL OR vo.path @> ARRAY[vu.organization_id])
            """, logger: logger
        ).any()
        guard allowed else {
            throw ValidationError(field: "organization_id", code: "unknown_reference",
                                  message: "organization_id names no subcontractor in your organization's subtree")
        }
    }
}
