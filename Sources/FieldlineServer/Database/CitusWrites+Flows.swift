import FieldlineDomain
import Foundation
import Logging
import PostgresNIO

extension CitusWrites {
    /// On Citus, what sql/041's `jobs_flow_trigger` does on a single PostgreSQL (sql/150 drops
    /// it on Citus: on the shard it cannot reach the outbox, local to the coordinator): when an
    /// enabled flow of the tenant is triggered by `status`, queues a `flow.job_status` outbox row
    /// for job `jobID`, in the caller's transaction. Every writer that inserts a job or changes
    /// its status calls it right after. Nothing elsewhere.
    static func jobStatusChanged(_ jobID: UUID, to status: JobStatus, tenantID: UUID, connection: PostgresConnection, logger: Logger) async throws {
        guard enabled else { return }
        let triggered = try await connection.query("""
            SELECT 1 FROM flows f
            WHERE f.tenant_id = \(tenantID) AND f.enabled
              AND f.triggers @> jsonb_build_array(jsonb_build_object('type', 'job_status', 'status', \(status.rawValue)::text))
            LIMIT 1
            """, logger: logger).any()
        guard triggered else { return }
        _ = try await Outbox.enqueue(
            FlowJobStatusJob.self, .init(jobID: jobID, status: status.rawValue), tenantID: tenantID, on: connection, logger: logger)
    }
}
