import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: the first acceptance wins across server instances")
struct TwoInstanceAcceptTests {
    typealias Support = BroadcastTestSupport

    @Test("50 simultaneous accepts from 50 subcontractors through signed webhooks, split over two server instances on one database: one assignment, 49 already taken, no 5xx")
    func fiftyAcceptsTwoInstances() async throws {
        let count = 50
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.withDatabase { settings, fixtures in
                var config = testConfig(database: settings)
                ProviderTestSupport.configure(baseURL)(&config)
                let first = try await buildApplication(config: config, logger: TestDatabase.logger)
                let second = try await buildApplication(config: config, logger: TestDatabase.logger)
                let fixture = try await fixtures.tenant()
                try await first.test(.router) { (one: any TestClientProtocol) async throws -> Void in
                    try await second.test(.router) { (two: any TestClientProtocol) async throws -> Void in
                        let admin = APICaller(one, fixture)
                        let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                        let job = try await OfferAnswerTests.simultaneousAcceptsScenario(
                            [one, two], fixtures, admin, fixture.tenant.id, hook: hook, count: count, digits: "3462000", order: "PO-FIFTY")
                        // The other instance reads the same assignment.
                        let assigned = try await APICaller(two, fixture).get("/v1/jobs/\(job)").json
                        let winner = try await admin.get("/v1/jobs/\(job)").json["organization_id"].string
                        #expect(assigned["status"].string == "assigned" && assigned["organization_id"].string == winner)
                        let (taken, yours) = try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                            try await connection.query("""
                                SELECT count(*) FILTER (WHERE body = 'Sorry, PO-FIFTY is already taken.')::int,
                                       count(*) FILTER (WHERE body LIKE 'PO-FIFTY is yours. Thank you!%')::int
                                FROM messages WHERE tenant_id = \(fixture.tenant.id) AND kind IN ('system', 'choice')
                                """, logger: fixtures.database.logger).first { try $0.decode((Int, Int).self) } ?? (0, 0)
                        }
                        #expect(taken == count - 1)
                        #expect(yours == 1)
                        // One assignment in the job's history, made by the winner's member.
                        let assignments = try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                            try await connection.query("""
                                SELECT count(*)::int FROM job_history
                                WHERE tenant_id = \(fixture.tenant.id) AND offer_id IS NULL AND to_status = 'assigned'
                                """, logger: fixtures.database.logger).first { try $0.decode(Int.self) } ?? 0
                        }
                        #expect(assignments == 1)
                    }
                }
            }
        }
    }
}
