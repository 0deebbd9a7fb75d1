import FieldlineDomain
import Foundation
import PostgresNIO

/// The crew member an upload is recorded for (`member_id`: the `app` adapter uploading for the
/// member using it). The member must be of the job's subcontractor (its organization, or one of
/// its crews); the proof then names them, takes their crew's code when none is given, and is
/// linked to their open conversation, where a rejection is sent.
enum ProofMember {
    /// What a proof of `job` takes from the member.
    struct Resolved: Sendable {
        /// The code of the member's crew in the job's subcontractor (the job's crew first); nil
        /// when they are in none of its crews.
        let crewCode: String?
        /// The member's open conversation, if any.
        let conversationID: UUID?
    }

    /// The member `memberID` for a proof of `job`. 422 `unknown_reference` for a member the
    /// tenant does not have, 422 `member_not_assigned` for one who is not of the job's subcontractor.
    static func resolve(_ memberID: UUID, for job: Job, tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> Resolved {
        let row = try await connection.query("""
            SELECT coalesce(m.organization_id = \(job.organizationId), false)
                     OR EXISTS (SELECT 1 FROM crew_members cm JOIN crews c ON c.tenant_id = cm.tenant_id AND c.id = cm.crew_id
                                WHERE cm.tenant_id = m.tenant_id AND cm.member_id = m.id AND c.organization_id = \(job.organizationId)),
                   (SELECT c.crew_code FROM crew_members cm JOIN crews c ON c.tenant_id = cm.tenant_id AND c.id = cm.crew_id
                    WHERE cm.tenant_id = m.tenant_id AND cm.member_id = m.id AND c.organization_id = \(job.organizationId)
                    ORDER BY coalesce(c.id = \(job.crewId), false) DESC, c.crew_code LIMIT 1),
                   (SELECT cv.id FROM conversations cv
                    WHERE cv.tenant_id = m.tenant_id AND cv.member_id = m.id AND cv.status <> 'closed' ORDER BY cv.id DESC LIMIT 1)
            FROM members m WHERE m.tenant_id = \(tenantID) AND m.id = \(memberID)
            """, logger: logger
        ).first { try $0.decode((Bool?, String?, UUID?).self) }
        guard let row else {
            throw ValidationError(field: "member_id", code: "unknown_reference", message: "member_id names no member of the tenant")
        }
        let (assigned, crewCode, conversationID) = row
        guard assigned == true else {
            throw ValidationError(
                field: "member_id", code: "member_not_assigned",
                message: "member_id is not a member of the job's subcontractor (its organization or one of its crews)")
        }
        return Resolved(crewCode: crewCode, conversationID: conversationID)
    }
}
