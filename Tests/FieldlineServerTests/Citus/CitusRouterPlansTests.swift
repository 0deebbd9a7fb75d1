import FieldlineDomain
import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

extension CitusTests {
    /// Every `Task Count` of the statement's plan on the coordinator (`EXPLAIN` with its bound
    /// values, in a transaction rolled back), and the plan.
    static func taskCounts(_ statement: PostgresQuery, _ tenantID: UUID, _ fixtures: Fixtures) async throws -> (counts: [Int], plan: String) {
        let logger = fixtures.database.logger
        let lines = try await fixtures.database.client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            try await connection.setLocal("app.tenant_id", to: tenantID.uuidString, logger: logger)
            do {
                let lines = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + statement.sql, binds: statement.binds), logger: logger)
                    .collect { try $0.decode(String.self) }
                try await connection.query("ROLLBACK", logger: logger)
                return lines
            } catch {
                try await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
        let counts = lines.compactMap { line -> Int? in
            guard let range = line.range(of: "Task Count: ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        return (counts, lines.joined(separator: "\n"))
    }

    /// Runs `body` in the tenant's transaction, rolled back, with statements that ask more than
    /// one shard made errors (`citus.multi_task_query_log_level`): for the `INSERT … SELECT`s
    /// Citus runs through the coordinator, whose `EXPLAIN` it cannot plan with parameters.
    static func onOneShard(
        _ tenantID: UUID, _ fixtures: Fixtures, _ body: (PostgresConnection, Logger) async throws -> Void
    ) async throws {
        let logger = fixtures.database.logger
        try await fixtures.database.client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            try await connection.setLocal("app.tenant_id", to: tenantID.uuidString, logger: logger)
            try await connection.query("SET LOCAL citus.multi_task_query_log_level = 'error'", logger: logger)
            do {
                try await body(connection, logger)
            } catch {
                try await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("ROLLBACK", logger: logger)
        }
    }

    @Test("the hot statements as the code sends them (ingest, the queue of every viewer, messages, timeline, jobs, proofs, the event feed, offers, flows' job look-ups, the routing's agents, webhook endpoints and deliveries) are single-shard plans")
    func routerPlansOfLists() async throws {
        try await Self.run { _, fixtures in
            let tenantID = try await Self.tenant(fixtures).tenant.id
            let user = UUID()
            var supervisor = Viewer(tenantID: tenantID, restrictedToUser: nil, userID: user)
            supervisor.supervisor = user
            let viewers: [(String, Viewer)] = [
                ("admin", Viewer(tenantID: tenantID, restrictedToUser: nil, userID: user)),
                ("agent", Viewer(tenantID: tenantID, restrictedToUser: user, userID: user)),
                ("supervisor", supervisor),
                ("api key", Viewer(tenantID: tenantID, restrictedToUser: nil, userID: nil)),
            ]
            let page = PageRequest(after: UUID())
            var statements: [(String, PostgresQuery)] = []
            for (name, viewer) in viewers {
                for queue in ConversationQueue.allCases {
                    statements.append(("queue \(queue) of \(name)", PostgresConversationsRepository.listQuery(
                        queue: queue, status: nil, memberID: nil, page: page, viewer: viewer)))
                }
                statements.append(("a conversation for \(name)", PostgresConversationsRepository.fetchQuery(UUID(), viewer: viewer, lock: false)))
                statements.append(("timeline for \(name)", PostgresConversationsRepository.timelineQuery(of: UUID(), page: page, viewer: viewer)))
                statements.append(("jobs of \(name)", PostgresJobsRepository.listQuery(JobFilter(), page: page, viewer: viewer)))
                statements.append(("a proof for \(name)", PostgresProofsRepository.fetchQuery(UUID(), viewer: viewer, lock: false)))
                statements.append(("the timeline's proofs for \(name)", TimelineLinks.proofsQuery(of: [UUID()], viewer: viewer)))
                statements.append(("jobs of a crew and a conversation, of \(name)", PostgresJobsRepository.listQuery(
                    JobFilter(crewCode: "GN-7", conversationID: UUID()), page: page, viewer: viewer)))
            }
            statements.append(("a conversation's messages", PostgresConversationsRepository.messagesQuery(of: UUID(), page: page, tenantID: tenantID)))
            statements.append(("the timeline's messages", PostgresConversationsRepository.timelineMessagesQuery([UUID(), UUID()], tenantID: tenantID)))
            statements.append(("the event feed", PostgresEventsRepository.pageQuery(
                after: EventCursor(txid: 1, seq: 1), types: ["job.created"], limit: 50, tenantID: tenantID)))
            statements.append(("a job's offers", PostgresDispatchRepository.offersQuery(of: UUID(), round: nil, tenantID: tenantID)))
            statements.append(("a flow run's job variables", FlowContext.jobQuery(UUID(), memberID: UUID(), tenantID: tenantID)))
            statements.append(("a member's current job", FlowContext.currentJobQuery(of: UUID(), tenantID: tenantID)))
            statements.append(("the members a job's status flow starts for", FlowJobStatusJob.membersQuery(of: UUID(), tenantID: tenantID)))
            statements.append(("the routing's choice of an agent", RoutingEngine.agentLoadsQuery(of: UUID(), tenantID: tenantID)))
            statements.append(("an agent's availability", PostgresRoutingRepository.availabilityQuery(of: UUID(), tenantID: tenantID)))
            statements.append(("webhook endpoints", PostgresWebhookEndpointsRepository.listQuery(tenantID: tenantID)))
            statements.append(("a webhook endpoint", PostgresWebhookEndpointsRepository.fetchQuery(UUID(), tenantID: tenantID, lock: false)))
            statements.append(("a webhook endpoint, locked", PostgresWebhookEndpointsRepository.fetchQuery(UUID(), tenantID: tenantID, lock: true)))
            statements.append(("an endpoint's deliveries", PostgresWebhookEndpointsRepository.deliveriesQuery(
                of: UUID(), status: nil, page: PageRequest(after: nil), tenantID: tenantID)))
            statements.append(("an endpoint's failed deliveries, a later page", PostgresWebhookEndpointsRepository.deliveriesQuery(
                of: UUID(), status: "failed", page: page, tenantID: tenantID)))

            // Ingest's prepared statements, with a batch of two messages.
            var lookUp = PostgresBindings(capacity: 7)
            lookUp.append(tenantID)
            lookUp.append(["whatsapp", "whatsapp"])
            lookUp.append(["wamid.A", "wamid.B"])
            lookUp.append([UUID().uuidString, ""])
            lookUp.append(["phone", "phone"])
            lookUp.append(["+34600000001", "+34600000002"])
            lookUp.append([true, false])
            statements.append(("ingest's look-up", PostgresQuery(unsafeSQL: IngestLookUpStatement.sql, binds: lookUp)))
            var store = PostgresBindings(capacity: 15)
            store.append(tenantID)
            store.append([UUID(), UUID()])
            store.append([UUID(), UUID()])
            store.append(["text", "text"])
            store.append(["Hola", ""])
            store.append([true, false])
            store.append(["{}", "{}"])
            store.append(["whatsapp", "whatsapp"])
            store.append([UUID().uuidString, ""])
            store.append(["wamid.A", "wamid.B"])
            store.append(["", ""])
            store.append([true, true])
            store.append([true, false])
            store.append([false, true])
            store.append([UUID(), UUID()])
            statements.append(("ingest's store", PostgresQuery(unsafeSQL: IngestStoreStatement.sql, binds: store)))


            for (name, statement) in statements {
                do {
                    let (counts, plan) = try await Self.taskCounts(statement, tenantID, fixtures)
                    #expect(!counts.isEmpty && counts.allSatisfy { $0 == 1 }, "\(name): \(counts)\n\(plan)")
                } catch {
                    // Citus refuses some of what asks every shard (`FOR UPDATE`) outright.
                    Issue.record("\(name): \(String(reflecting: error))")
                }
            }
            // Run as well: a plan of one task can still be executed on every shard (an endpoint's
            // deliveries were, their subqueries' tenant coming from the outer row alone). Not
            // ingest's store, a write of made-up ids that the foreign keys refuse.
            for (name, statement) in statements where name != "ingest's store" {
                do {
                    try await Self.onOneShard(tenantID, fixtures) { connection, logger in _ = try await connection.query(statement, logger: logger).collect() }
                } catch {
                    Issue.record("\(name): \(String(reflecting: error))")
                }
            }

            // Ingest's events, an INSERT … SELECT that Citus runs through the coordinator (whose
            // EXPLAIN Citus cannot plan with parameters): run, rolled back, with multi-task
            // queries made errors, its SELECT reads the tenant's shard alone.
            let events = RecordInboundEventsStatement(
                tenantID: tenantID, openedIDs: [UUID()], openedEventIDs: [UUID()], messageIDs: [UUID(), UUID()], messageEventIDs: [UUID(), UUID()])
            try await Self.onOneShard(tenantID, fixtures) { connection, logger in
                let inserted = try await connection.query(
                    PostgresQuery(unsafeSQL: RecordInboundEventsCitusStatement.sql, binds: try events.makeBindings()), logger: logger
                ).collect { try $0.decode(UUID.self) }
                #expect(inserted.isEmpty)
            }

            // An expiry's offer events (`BusinessEvents.recordOffers`), an INSERT … SELECT too,
            // likewise: the offers' recipients are read on the tenant's shard alone.
            try await Self.onOneShard(tenantID, fixtures) { connection, logger in
                try await BusinessEvents.recordOffers(
                    .offerExpired, [UUID(), UUID()], in: TenantTransaction(tenantID: tenantID, connection: connection, logger: logger))
            }

            // A conversation's event (`BusinessEvents.recordConversation`, the routing's
            // assignment), likewise: the conversation is read on the tenant's shard alone.
            try await Self.onOneShard(tenantID, fixtures) { connection, logger in
                try await BusinessEvents.recordConversation(.conversationAssigned, UUID(), on: connection, tenantID: tenantID, logger: logger)
            }
        }
    }
}
