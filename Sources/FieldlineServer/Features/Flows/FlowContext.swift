import FieldlineDomain
import Foundation
import PostgresNIO

/// The variables a run starts with (`FlowDefinition.contextVariables`): the member's name and,
/// for a job, its id, order number, address and crew code (the job's crew, else the member's
/// crew in the job's organization).
enum FlowContext {
    static func variables(memberID: UUID, jobID: UUID?, _ transaction: TenantTransaction) async throws -> [String: FlowValue] {
        let tenantID = transaction.tenantID
        let name = try await transaction.query(
            "SELECT name FROM members WHERE tenant_id = \(tenantID) AND id = \(memberID)"
        ).first { try $0.decode(String.self) }
        guard let name else { throw APIError.notFound("member") }
        var variables: [String: FlowValue] = ["member_name": .string(name)]
        guard let jobID else { return variables }
        let job = try await transaction.query(jobQuery(jobID, memberID: memberID, tenantID: tenantID))
            .first { try $0.decode((String, String, String).self) }
        guard let (orderNumber, address, crewCode) = job else { throw APIError.notFound("job") }
        variables["job_id"] = .string(jobID.uuidString.lowercased())
        variables["order_number"] = .string(orderNumber)
        variables["job_address"] = .string(address)
        variables["crew_code"] = .string(crewCode)
        return variables
    }

    /// The job's order number, address and crew code for `memberID` (`variables`); the crew
    /// subquery names the tenant on Citus (docs/scaling.md, "Router plans").
    static func jobQuery(_ jobID: UUID, memberID: UUID, tenantID: UUID) -> PostgresQuery {
        """
        SELECT j.order_number, coalesce(j.address, ''),
               coalesce(jc.crew_code, (SELECT c.crew_code FROM crew_members cm
                                       JOIN crews c ON c.tenant_id = cm.tenant_id AND c.id = cm.crew_id
                                       WHERE cm.tenant_id = j.tenant_id\(citusTenant: "cm", tenantID) AND cm.member_id = \(memberID)
                                         AND c.organization_id = j.organization_id
                                       ORDER BY c.crew_code LIMIT 1), '')
        FROM jobs j LEFT JOIN crews jc ON jc.tenant_id = j.tenant_id AND jc.id = j.crew_id
        WHERE j.tenant_id = \(tenantID) AND j.id = \(jobID)
        """
    }

    /// The member's current job, for a keyword trigger: the latest job assigned to or in progress
    /// with one of the member's crews, else with the member's organization.
    static func currentJob(of memberID: UUID, _ transaction: TenantTransaction) async throws -> UUID? {
        try await transaction.query(currentJobQuery(of: memberID, tenantID: transaction.tenantID)).first { try $0.decode(UUID.self) }
    }

    /// The statement `currentJob(of:)` sends; its crew subquery names the tenant on Citus.
    static func currentJobQuery(of memberID: UUID, tenantID: UUID) -> PostgresQuery {
        """
        SELECT j.id FROM jobs j JOIN members m ON m.tenant_id = j.tenant_id AND m.id = \(memberID)
        WHERE j.tenant_id = \(tenantID) AND j.status IN ('assigned', 'in_progress') AND j.organization_id = m.organization_id
        ORDER BY (j.crew_id IS NOT NULL AND EXISTS (
                     SELECT 1 FROM crew_members cm WHERE cm.tenant_id = j.tenant_id\(citusTenant: "cm", tenantID) AND cm.crew_id = j.crew_id AND cm.member_id = m.id)) DESC,
                 j.status_changed_at DESC, j.id DESC
        LIMIT 1
        """
    }

    /// `jobID` when it is still the member's organization's to do (`assigned` or `in_progress`).
    static func ownJob(_ jobID: UUID, of memberID: UUID, _ transaction: TenantTransaction) async throws -> UUID? {
        let tenantID = transaction.tenantID
        return try await transaction.query("""
            SELECT j.id FROM jobs j JOIN members m ON m.tenant_id = j.tenant_id AND m.id = \(memberID)
            WHERE j.tenant_id = \(tenantID) AND j.id = \(jobID) AND j.status IN ('assigned', 'in_progress')
              AND j.organization_id = m.organization_id
            """
        ).first { try $0.decode(UUID.self) }
    }
}
