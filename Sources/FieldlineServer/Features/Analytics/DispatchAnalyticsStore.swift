import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// Dispatch figures from `offers` and `jobs`, for offers sent in `[from, to)`.
struct DispatchAnalyticsStore: Sendable {
    let database: Database

    /// Each job whose first offer went out in the period, in the order of that first offer.
    func jobs(from: Date, to: Date, tenantID: UUID) async throws -> [JobDispatchFigures] {
        try await database.withTenantTransaction(tenantID) { transaction in
            try await transaction.query("""
                SELECT j.id, j.order_number, j.status, count(DISTINCT o.round)::int, count(*)::int, min(o.created_at),
                       min(o.answered_at) FILTER (WHERE o.status = 'accepted'),
                       (array_agg(o.organization_id) FILTER (WHERE o.status = 'accepted'))[1],
                       (array_agg(org.name) FILTER (WHERE o.status = 'accepted'))[1]
                FROM offers o
                JOIN jobs j ON j.tenant_id = o.tenant_id AND j.id = o.job_id
                JOIN organizations org ON org.tenant_id = o.tenant_id AND org.id = o.organization_id
                WHERE o.tenant_id = \(tenantID) AND o.job_id IN (
                    SELECT p.job_id FROM offers p WHERE p.tenant_id = \(tenantID) AND p.created_at >= \(from) AND p.created_at < \(to))
                GROUP BY j.id, j.order_number, j.status
                HAVING min(o.created_at) >= \(from) AND min(o.created_at) < \(to)
                ORDER BY min(o.created_at), j.id
                """
            ).collect { row in
                let c = try row.decode((UUID, String, String, Int, Int, Date, Date?, UUID?, String?).self)
                return JobDispatchFigures(
                    jobID: c.0, orderNumber: c.1, status: c.2, rounds: c.3, offersSent: c.4, firstOfferAt: c.5,
                    acceptedAt: c.6, acceptedByOrganizationID: c.7, acceptedByName: c.8)
            }
        }
    }

    /// Each subcontractor offered a job in the period, by name.
    func subcontractors(from: Date, to: Date, tenantID: UUID) async throws -> [SubcontractorDispatchFigures] {
        try await database.withTenantTransaction(tenantID) { transaction in
            try await transaction.query("""
                SELECT o.organization_id, org.name, count(*)::int,
                       count(*) FILTER (WHERE o.status = 'accepted')::int, count(*) FILTER (WHERE o.status = 'declined')::int,
                       count(*) FILTER (WHERE o.status = 'expired')::int, count(*) FILTER (WHERE o.status = 'withdrawn')::int,
                       count(*) FILTER (WHERE o.status IN ('sent', 'delivered', 'read'))::int,
                       avg(extract(epoch FROM o.answered_at - o.created_at))::float8
                FROM offers o
                JOIN organizations org ON org.tenant_id = o.tenant_id AND org.id = o.organization_id
                WHERE o.tenant_id = \(tenantID) AND o.created_at >= \(from) AND o.created_at < \(to)
                GROUP BY o.organization_id, org.name
                ORDER BY org.name, o.organization_id
                """
            ).collect { row in
                let c = try row.decode((UUID, String, Int, Int, Int, Int, Int, Int, Double?).self)
                return SubcontractorDispatchFigures(
                    organizationID: c.0, name: c.1, offers: c.2, accepted: c.3, declined: c.4, expired: c.5, withdrawn: c.6,
                    open: c.7, answerAvgSeconds: c.8)
            }
        }
    }
}
