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
                        var orgs: [String] = []
                        for index in 0..<count {
                            let digits = "3462000\(1000 + index)"
                            let org = try await Support.subcontractor(admin, "Tow \(index)")
                            orgs.append(org)
                            _ = try await Support.member(admin, org, digits: digits)
                            #expect(try await Support.whatsAppText(index % 2 == 0 ? one : two, hook, from: digits, id: "wamid.H\(index)", text: "hola").status == .ok)
                        }
                        let job = try await Support.job(admin, "PO-FIFTY")
                        #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                        let offers = try await Support.offers(admin, job)
                        #expect(offers.count == count)

                        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                            for (index, org) in orgs.enumerated() {
                                let choice = "offer:\(offers[org]?["id"].string?.lowercased() ?? ""):accept"
                                let client = index % 2 == 0 ? one : two
                                group.addTask {
                                    Int(try await Support.whatsAppButton(
                                        client, hook, from: "3462000\(1000 + index)", id: "wamid.ACC\(index)", choiceID: choice).status.code)
                                }
                            }
                            return try await group.reduce(into: [Int]()) { $0.append($1) }
                        }
                        #expect(statuses.count == count)
                        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
                        let after = try await Support.offers(admin, job)
                        let accepted = after.filter { $0.value["status"].string == "accepted" }
                        #expect(accepted.count == 1)
                        #expect(after.filter { $0.value["status"].string == "withdrawn" }.count == count - 1)
                        let assigned = try await APICaller(two, fixture).get("/v1/jobs/\(job)").json
                        #expect(assigned["status"].string == "assigned")
                        #expect(assigned["organization_id"].string == accepted.first?.key)
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
                        #expect(try await Support.published(fixtures, fixture.tenant.id, kind: "job.assigned", count: 1))
                    }
                }
            }
        }
    }
}
