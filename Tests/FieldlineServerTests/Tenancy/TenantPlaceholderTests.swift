import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

/// On a single PostgreSQL the `$tenant(…)` placeholders (docs/scaling.md, "Router plans") leave
/// the statements as they were: no text, no bound value. The Citus suite checks the other side.
@Suite("Tenant placeholders on a single PostgreSQL")
struct TenantPlaceholderTests {
    /// `text` without its `$tenant(alias)` placeholders.
    static func stripped(_ text: String) -> String {
        text.replacing(/\$tenant\([a-z]+\)/, with: "")
    }

    @Test("the column strings and access fragments become the single-node text, with only the viewer bound")
    func singleNodeText() throws {
        #expect(!CitusWrites.enabled, "the single-node suite runs against a plain PostgreSQL")
        let tenantID = UUID()
        let user = UUID()
        let columns = [Conversation.columns, Message.columns, Job.columns, Crew.columns, Member.columns, Team.columns, Channel.columns, ProofExportRow.columns, Offer.columns,
                       WebhookEndpoint.columns, WebhookDelivery.columns]
        for column in columns {
            #expect(column.template.contains("$tenant("), "\(column.template)")
            let query: PostgresQuery = "SELECT \(columns: column, tenant: tenantID)"
            #expect(query.sql == "SELECT " + Self.stripped(column.template))
            #expect(query.binds.count == 0)
        }
        let agent = Viewer(tenantID: tenantID, restrictedToUser: user, userID: user)
        let visible: PostgresQuery = "\(visibleConversations: agent)"
        #expect(visible.sql.contains("WHERE tm.tenant_id = c.tenant_id AND tm.user_id = $2)"), "\(visible.sql)")
        #expect(visible.binds.count == 2)
        var supervisor = Viewer(tenantID: tenantID, restrictedToUser: nil, userID: user)
        supervisor.supervisor = user
        let jobs: PostgresQuery = "\(visibleJobs: supervisor)"
        #expect(!jobs.sql.contains("$tenant") && !jobs.sql.contains("tenant_id = $"), "\(jobs.sql)")
        #expect(jobs.binds.count == 4)
        let subquery: PostgresQuery = "x.tenant_id = c.tenant_id\(citusTenant: "x", tenantID)"
        #expect(subquery.sql == "x.tenant_id = c.tenant_id" && subquery.binds.count == 0)
        // Statements whose subqueries name the tenant with `citusTenant:`: the single-node text, only their own values bound.
        let statements: [(PostgresQuery, Int, [String])] = [
            (PostgresDispatchRepository.offersQuery(of: UUID(), round: nil, tenantID: tenantID), 4,
             ["WHERE r.tenant_id = o.tenant_id AND r.offer_id = o.id", "WHERE o.tenant_id = $1 AND o.job_id = $2"]),
            (FlowContext.jobQuery(UUID(), memberID: UUID(), tenantID: tenantID), 3, ["WHERE cm.tenant_id = j.tenant_id AND cm.member_id = $1"]),
            (FlowContext.currentJobQuery(of: UUID(), tenantID: tenantID), 2, ["WHERE cm.tenant_id = j.tenant_id AND cm.crew_id = j.crew_id"]),
            (FlowJobStatusJob.membersQuery(of: UUID(), tenantID: tenantID), 2,
             ["WHERE cm.tenant_id = j.tenant_id AND cm.crew_id = j.crew_id", "WHERE i.tenant_id = m.tenant_id AND i.member_id = m.id"]),
        ]
        for (statement, binds, texts) in statements {
            #expect(statement.binds.count == binds, "\(statement.sql)")
            for text in texts {
                #expect(statement.sql.contains(text), "\(text) in \(statement.sql)")
            }
        }
        // Statements whose Citus variant differs in more than the tenant: the single-node text to the byte.
        let endpoint = PostgresWebhookEndpointsRepository.fetchQuery(UUID(), tenantID: tenantID, lock: false)
        #expect(endpoint.sql == "SELECT " + Self.stripped(WebhookEndpoint.columns.template) + " FROM webhook_endpoints w WHERE w.tenant_id = $1 AND w.id = $2\n")
        #expect(endpoint.binds.count == 2)
        let deliveries = PostgresWebhookEndpointsRepository.deliveriesQuery(of: UUID(), status: nil, page: PageRequest(after: nil), tenantID: tenantID)
        #expect(deliveries.sql.hasPrefix("SELECT " + Self.stripped(WebhookDelivery.columns.template) + " FROM webhook_deliveries d\nWHERE d.tenant_id = $1"))
        #expect(deliveries.binds.count == 7)
        let event = BusinessEvents.recordConversationQuery(.conversationAssigned, UUID(), eventID: UUID(), tenantID: tenantID)
        #expect(event.sql == """
            INSERT INTO events (tenant_id, id, type, resource_type, resource_id, body)
            SELECT c.tenant_id, $1, $2, 'conversation', c.id, \(ResourceJSON.conversation("c"))
            FROM conversations c WHERE c.tenant_id = $3 AND c.id = $4
            """)
        #expect(event.binds.count == 4)
        let agents = RoutingEngine.agentLoadsQuery(of: UUID(), tenantID: tenantID)
        #expect(agents.sql == """
            SELECT u.id, u.availability = 'online', u.max_open_conversations,
                   (SELECT count(*) FROM conversations c
                    WHERE c.tenant_id = u.tenant_id AND c.assignee_id = u.id AND c.status <> 'closed')::int
            FROM team_members tm JOIN users u ON u.tenant_id = tm.tenant_id AND u.id = tm.user_id
            WHERE tm.tenant_id = $1 AND tm.team_id = $2 AND u.disabled_at IS NULL
            """)
        #expect(agents.binds.count == 2)
        let availability = PostgresRoutingRepository.availabilityQuery(of: UUID(), tenantID: tenantID)
        #expect(availability.sql == """
            SELECT u.id, u.availability, u.max_open_conversations,
                   (SELECT count(*) FROM conversations c WHERE c.tenant_id = u.tenant_id AND c.assignee_id = u.id AND c.status <> 'closed')::int
            FROM users u WHERE u.tenant_id = $1 AND u.id = $2
            """)
        #expect(availability.binds.count == 2)
    }
}
