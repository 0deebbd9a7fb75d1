import Foundation
import PostgresNIO

/// Which media items a viewer reaches, as a condition on the media `md` joined with its
/// message's conversation `c`, with bound values: `AND \(visibleMedia: viewer, access: access)`.
extension PostgresQuery.StringInterpolation {
    /// Through the conversation (`conversations:read`: the conversation is visible) and/or
    /// through a proof it belongs to (`proofs:read`: the proof's job is visible); neither is
    /// `false`. Parenthesised, so it can follow `AND` or `OR`.
    mutating func appendInterpolation(visibleMedia viewer: Viewer, access: MediaAccess) {
        appendLiteral("(")
        if access.throughConversations {
            // An upload has no conversation (`c` is NULL from a LEFT JOIN): never reached this way.
            appendLiteral("(c.id IS NOT NULL AND ")
            appendInterpolation(visibleConversations: viewer)
            appendLiteral(")")
        }
        if access.throughConversations, access.throughProofs { appendLiteral(" OR ") }
        if access.throughProofs {
            appendLiteral("""
                EXISTS (SELECT 1 FROM proof_media pm
                        JOIN proofs p ON p.tenant_id = pm.tenant_id AND p.id = pm.proof_id
                        JOIN jobs j ON j.tenant_id = p.tenant_id AND j.id = p.job_id
                        WHERE pm.tenant_id = md.tenant_id
                """)
            appendInterpolation(citusTenant: "pm", viewer.tenantID)
            appendLiteral(" AND pm.media_id = md.id")
            appendLiteral(" AND ")
            appendInterpolation(visibleJobs: viewer)
            appendLiteral(")")
        }
        if !access.throughConversations, !access.throughProofs { appendLiteral("false") }
        appendLiteral(")")
    }
}
