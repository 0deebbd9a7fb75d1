import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

extension OfferAnswerTests {
    /// The simultaneous-Accepts scenario of `concurrentAccepts`, `TwoInstanceAcceptTests` and
    /// `CitusTests.dispatchConcurrentAccepts`: `count` subcontractors, each with a crew member
    /// who has written in from `digits` + 1000 + index, a job `order` broadcast to them all, and
    /// every crew pressing Accept at once through signed webhooks, sent through `clients` in
    /// turn. Each answer is a 200, one offer is accepted and the others withdrawn, the job is
    /// assigned to the winner (one `job.assigned`) and the `count - 1` others are told it is
    /// taken. `beforeAccepts` runs once the offers are made. Returns the job's id.
    @discardableResult
    static func simultaneousAcceptsScenario(
        _ clients: [any TestClientProtocol], _ fixtures: Fixtures, _ admin: APICaller, _ tenant: UUID, hook: String,
        count: Int, digits: String, order: String, beforeAccepts: () async throws -> Void = {}
    ) async throws -> String {
        var orgs: [String] = []
        for index in 0..<count {
            let from = "\(digits)\(1000 + index)"
            let org = try await Support.subcontractor(admin, "Tow \(index)")
            orgs.append(org)
            _ = try await Support.member(admin, org, digits: from)
            #expect(try await Support.whatsAppText(clients[index % clients.count], hook, from: from, id: "wamid.H\(index)", text: "hola").status == .ok)
        }
        let job = try await Support.job(admin, order)
        #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
        let offers = try await Support.offers(admin, job)
        #expect(offers.count == count)
        try await beforeAccepts()

        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, org) in orgs.enumerated() {
                let choice = "offer:\(offers[org]?["id"].string?.lowercased() ?? ""):accept"
                let client = clients[index % clients.count]
                group.addTask {
                    Int(try await Support.whatsAppButton(client, hook, from: "\(digits)\(1000 + index)", id: "wamid.ACC\(index)", choiceID: choice).status.code)
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
        let assigned = try await admin.get("/v1/jobs/\(job)").json
        #expect(assigned["status"].string == "assigned")
        #expect(assigned["organization_id"].string == accepted.first?.key)
        let taken = try await OfferFanOutTests.count(fixtures, tenant, """
            SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND kind = 'system' AND body = \("Sorry, \(order) is already taken.")
            """)
        #expect(taken == count - 1)
        #expect(try await Support.published(fixtures, tenant, kind: "job.assigned", count: 1))
        return job
    }
}
