import FieldlineDomain
import Foundation
import PostgresNIO

/// `DispatchRepository` on PostgreSQL. Area search goes through the GiST index on
/// `service_areas.bounds` (`sql/021_service_area_search.sql`, docs/dispatch.md).
struct PostgresDispatchRepository: DispatchRepository {
    let database: Database

    var logger: Logger { database.logger }

    func candidates(for jobID: UUID, filter: CandidateFilter, viewer: Viewer) async throws -> [Candidate]? {
        try await database.withTenantTransaction(viewer.tenantID) { transaction in
            guard let site = try await site(of: jobID, viewer: viewer, transaction) else { return nil }
            guard let latitude = site.latitude, let longitude = site.longitude else {
                throw APIError.conflict("job_has_no_site", "the job has no latitude and longitude: set them (PATCH /v1/jobs/{id}) to find who covers its site")
            }
            return try await Self.candidates(
                near: latitude, longitude, tags: site.requiredTags, filter: filter, viewer: viewer, transaction)
        }
    }

    /// The job's site and required tags, when the viewer may see the job.
    private func site(of jobID: UUID, viewer: Viewer, _ transaction: TenantTransaction) async throws
        -> (latitude: Double?, longitude: Double?, requiredTags: [String])?
    {
        try await transaction.query("""
            SELECT j.latitude, j.longitude, j.required_tags FROM jobs j
            WHERE j.tenant_id = \(transaction.tenantID) AND j.id = \(jobID) AND \(visibleJobs: viewer)
            """
        ).first { row in
            let (latitude, longitude, tags) = try row.decode((Double?, Double?, [String]).self)
            return (latitude, longitude, tags)
        }
    }

    /// Subcontractors covering the point, each with its nearest covering area, nearest first.
    /// The index finds the areas whose box holds the point; the exact distance keeps those whose
    /// circle does. A viewer with an organization sees only subcontractors in its subtree, as
    /// they may assign jobs only there (`JobVisibility.requireAssignable`).
    static func candidates(
        near latitude: Double, _ longitude: Double, tags: [String], filter: CandidateFilter, viewer: Viewer,
        _ transaction: TenantTransaction
    ) async throws -> [Candidate] {
        let tenantID = transaction.tenantID
        return try await transaction.query("""
            SELECT \(unescaped: Candidate.columns) FROM (
                SELECT DISTINCT ON (a.organization_id) a.organization_id, a.id, a.name,
                       fieldline_distance_m(a.latitude, a.longitude, \(latitude), \(longitude)) AS distance
                FROM service_areas a
                WHERE a.tenant_id = \(tenantID) AND a.bounds @> fieldline_earth_point(\(latitude), \(longitude))
                  AND fieldline_distance_m(a.latitude, a.longitude, \(latitude), \(longitude)) <= a.radius_km * 1000
                ORDER BY a.organization_id, distance, a.id
            ) AS d
            JOIN organizations o ON o.tenant_id = \(tenantID) AND o.id = d.organization_id
            WHERE o.kind = 'subcontractor' AND o.tags @> \(tags)::text[]
              AND (\(filter.within)::uuid IS NULL OR o.path @> ARRAY[\(filter.within)::uuid])
              \(inSubtreeOfUser: viewer.userID, tenantID: tenantID)
            ORDER BY d.distance, o.id
            LIMIT \(filter.limit)
            """
        ).collect(Candidate.init(row:))
    }
}

extension PostgresQuery.StringInterpolation {
    /// The candidates' condition that a viewer with an organization sees only subcontractors in
    /// its subtree (`o` is the organization). Citus refuses the statement when the user is NULL
    /// (an API key), whose `vu.id = NULL` prunes `users` to no shard ("complex joins are only
    /// supported…"): there the condition, always true then, is left out. A single PostgreSQL
    /// gets the same text for every viewer.
    fileprivate mutating func appendInterpolation(inSubtreeOfUser userID: UUID?, tenantID: UUID) {
        if CitusWrites.enabled, userID == nil { return }
        appendLiteral("AND NOT EXISTS (\n        SELECT 1 FROM users vu\n        WHERE vu.tenant_id = ")
        appendInterpolation(tenantID)
        appendLiteral(" AND vu.id = ")
        appendInterpolation(userID)
        appendLiteral("::uuid AND vu.organization_id IS NOT NULL\n          AND NOT (o.path @> ARRAY[vu.organization_id]))")
    }
}
