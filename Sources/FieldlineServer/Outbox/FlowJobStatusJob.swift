import FieldlineDomain
import Foundation
import PostgresNIO

/// `flow.job_status`: a job moved to a status that an enabled flow of its tenant is triggered by
/// (queued by the `jobs_flow_trigger` of sql/041, whatever moved the job). Starts a run of each
/// such flow for the job's crew's members (or, without a crew, the members of its organization),
/// each reachable member in their conversation (opened when they have none); a member with a run
/// under way is left to it. A job that moved on meanwhile starts nothing.
struct FlowJobStatusJob: OutboxJob {
    static let topic = "flow.job_status"

    struct Payload: Codable, Sendable, Equatable {
        let jobID: UUID
        let status: String

        enum CodingKeys: String, CodingKey { case jobID = "job_id", status }
    }

    let database: Database

    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await database.withTenantTransaction(item.tenantID) { transaction in
            try await OutboxStore.complete(item.id, on: transaction.connection, logger: transaction.logger)
            let tenantID = transaction.tenantID
            let current = try await transaction.query(
                "SELECT status FROM jobs WHERE tenant_id = \(tenantID) AND id = \(payload.jobID) FOR NO KEY UPDATE"
            ).first { try $0.decode(String.self) }
            guard current == payload.status else { return }
            let flows = try await transaction.query("""
                SELECT id FROM flows WHERE tenant_id = \(tenantID) AND enabled
                  AND triggers @> jsonb_build_array(jsonb_build_object('type', 'job_status', 'status', \(payload.status)))
                ORDER BY id
                """
            ).collect { try $0.decode(UUID.self) }
            guard !flows.isEmpty else { return }
            let members = try await transaction.query(Self.membersQuery(of: payload.jobID, tenantID: tenantID))
                .collect { try $0.decode(UUID.self) }
            guard !members.isEmpty else { return }
            let opened = try await transaction.rows(
                OpenConversationsStatement(tenantID: tenantID, conversationIDs: members.map { _ in UUIDv7.make() }, memberIDs: members))
            transaction.stream(opened.map { NewStreamEvent(kind: .conversationOpened, conversationID: $0.0, data: ["member_id": .id($0.1)]) })
            let conversations = try await transaction.query("""
                SELECT id, member_id FROM conversations
                WHERE tenant_id = \(tenantID) AND member_id = ANY(\(members)::uuid[]) AND status <> 'closed'
                ORDER BY id FOR NO KEY UPDATE
                """
            ).collect { try $0.decode((UUID, UUID).self) }
            let runtime = FlowRuntime(database: database)
            for flow in flows {
                for (conversation, member) in conversations {
                    do {
                        let started = try await runtime.start(
                            flowID: flow, memberID: member, conversationID: conversation, jobID: payload.jobID,
                            startedBy: "trigger:job_status", transaction)
                        transaction.stream(started.events)
                    } catch FlowRuntime.StartRefusal.runUnderWay {
                        continue
                    }
                }
            }
        }
    }

    /// The job's reachable members a run starts for: its crew's, or without a crew its
    /// organization's, each with an identity. The subqueries name the tenant on Citus
    /// (docs/scaling.md, "Router plans").
    static func membersQuery(of jobID: UUID, tenantID: UUID) -> PostgresQuery {
        """
        SELECT m.id FROM jobs j JOIN members m ON m.tenant_id = j.tenant_id AND m.organization_id = j.organization_id
        WHERE j.tenant_id = \(tenantID) AND j.id = \(jobID)
          AND (j.crew_id IS NULL OR EXISTS (
              SELECT 1 FROM crew_members cm WHERE cm.tenant_id = j.tenant_id\(citusTenant: "cm", tenantID) AND cm.crew_id = j.crew_id AND cm.member_id = m.id))
          AND EXISTS (SELECT 1 FROM member_identities i WHERE i.tenant_id = m.tenant_id\(citusTenant: "i", tenantID) AND i.member_id = m.id)
        ORDER BY m.id
        """
    }
}
