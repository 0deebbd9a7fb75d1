import Foundation
import PostgresNIO

/// The reads of endpoints and deliveries, as statements the Citus suite plans
/// (`CitusTests.routerPlansOfLists`): their subqueries name the tenant there.
extension PostgresWebhookEndpointsRepository {
    /// The tenant's endpoints, oldest first.
    static func listQuery(tenantID: UUID) -> PostgresQuery {
        """
        SELECT \(columns: WebhookEndpoint.columns, tenant: tenantID) FROM webhook_endpoints w WHERE w.tenant_id = \(tenantID) ORDER BY w.id
        """
    }

    /// One endpoint (the deliverer reads it before every batch), locked when `lock`.
    static func fetchQuery(_ id: UUID, tenantID: UUID, lock: Bool) -> PostgresQuery {
        """
        SELECT \(columns: WebhookEndpoint.columns, tenant: tenantID) FROM webhook_endpoints w WHERE w.tenant_id = \(tenantID) AND w.id = \(id)
        \(unescaped: lock ? "FOR UPDATE" : "")
        """
    }

    /// A page of the endpoint's deliveries, newest first, of one status or all.
    static func deliveriesQuery(of id: UUID, status: String?, page: PageRequest, tenantID: UUID) -> PostgresQuery {
        """
        SELECT \(columns: WebhookDelivery.columns, tenant: tenantID) FROM webhook_deliveries d
        WHERE d.tenant_id = \(tenantID) AND d.endpoint_id = \(id)
          AND (\(status)::text IS NULL OR d.status = \(status))
          AND (\(page.after)::uuid IS NULL OR d.id < \(page.after))
        ORDER BY d.id DESC LIMIT \(page.fetchLimit)
        """
    }
}
