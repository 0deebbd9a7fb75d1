import FieldlineDomain
import Foundation
import PostgresNIO

/// Filters of the jobs export (beside its period).
struct JobExportFilter: Sendable {
    var status: JobStatus?
    var organizationID: UUID?
    var crewCode: String?
}

/// Filters of the proofs export (beside its period).
struct ProofExportFilter: Sendable {
    var reviewState: ProofReviewState?
    var crewCode: String?
    var orderNumber: String?
}

/// Reads an export one page at a time, by id after the last one written (ids are UUIDv7, so
/// this is creation order, and stable: a row never moves, so none is written twice).
protocol ExportsRepository: Sendable {
    /// Up to `limit` jobs the viewer sees, with `period.dateColumn` in the period, after `after`.
    func jobs(_ period: ExportRequest, _ filter: JobExportFilter, after: UUID?, limit: Int, viewer: Viewer) async throws -> [Job]
    /// Up to `limit` proofs the viewer sees, likewise; `link` makes a file's URL.
    func proofs(
        _ period: ExportRequest, _ filter: ProofExportFilter, after: UUID?, limit: Int, viewer: Viewer, link: @Sendable (UUID) -> String
    ) async throws -> [ProofExportRow]
}

/// `ExportsRepository` on PostgreSQL: each page is a short transaction of its own, so a slow
/// download holds no transaction open (one would hold the event feed back, sql/030).
struct PostgresExportsRepository: ExportsRepository {
    let database: Database

    func jobs(_ period: ExportRequest, _ filter: JobExportFilter, after: UUID?, limit: Int, viewer: Viewer) async throws -> [Job] {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(columns: Job.columns, tenant: tenantID) FROM jobs j
                WHERE j.tenant_id = \(tenantID)
                  AND \(visibleJobs: viewer)
                  AND j.\(unescaped: period.dateColumn) >= \(period.from) AND j.\(unescaped: period.dateColumn) < \(period.to)
                  AND (\(filter.status?.rawValue)::text IS NULL OR j.status = \(filter.status?.rawValue))
                  AND (\(filter.organizationID)::uuid IS NULL OR j.organization_id = \(filter.organizationID))
                  AND (\(filter.crewCode)::text IS NULL OR j.crew_id = (
                        SELECT cr.id FROM crews cr WHERE cr.tenant_id = j.tenant_id\(citusTenant: "cr", tenantID) AND cr.crew_code = \(filter.crewCode)))
                  AND (\(after)::uuid IS NULL OR j.id > \(after))
                ORDER BY j.id LIMIT \(limit)
                """, logger: database.logger
            ).collect(Job.init(row:))
        }
    }

    func proofs(
        _ period: ExportRequest, _ filter: ProofExportFilter, after: UUID?, limit: Int, viewer: Viewer, link: @Sendable (UUID) -> String
    ) async throws -> [ProofExportRow] {
        let tenantID = viewer.tenantID
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(columns: ProofExportRow.columns, tenant: tenantID) FROM proofs p
                JOIN jobs j ON j.tenant_id = p.tenant_id AND j.id = p.job_id
                WHERE p.tenant_id = \(tenantID)
                  AND \(visibleJobs: viewer)
                  AND p.\(unescaped: period.dateColumn) >= \(period.from) AND p.\(unescaped: period.dateColumn) < \(period.to)
                  AND (\(filter.reviewState?.rawValue)::text IS NULL OR p.review_state = \(filter.reviewState?.rawValue))
                  AND (\(filter.crewCode)::text IS NULL OR p.crew_code = \(filter.crewCode))
                  AND (\(filter.orderNumber)::text IS NULL OR j.order_number = \(filter.orderNumber))
                  AND (\(after)::uuid IS NULL OR p.id > \(after))
                ORDER BY p.id LIMIT \(limit)
                """, logger: database.logger
            ).collect { try ProofExportRow(row: $0, link: link) }
        }
    }
}
