import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("The demo tenant: what it holds, and starting over")
struct DemoTenantTests {
    @Test("the demo's agent signs in with the printed password, and its open job has both subcontractors as candidates")
    func agentAndJob() async throws {
        try await TestApp.run { client, fixtures in
            let demo = try #require(try await fixtures.provisioning.seedDemo())
            let agentEmail = try #require(demo.agentEmail), agentPassword = try #require(demo.agentPassword)
            #expect(agentPassword != demo.adminPassword)
            let anonymous = APICaller(client, token: nil)
            let login = try await anonymous.post("/v1/auth/login", #"{"email":"\#(agentEmail)","password":"\#(agentPassword)"}"#)
            #expect(login.status == .ok)
            #expect(login.json["user"]["role"].string == "agent")

            let api = APICaller(client, token: demo.apiKey)
            let job = try #require(try await api.get("/v1/jobs?order_number=PO-1001").json["data"].array.first?["id"].string)
            let candidates = try await api.get("/v1/jobs/\(job)/candidates").json["data"].array
            #expect(Set(candidates.compactMap { $0["name"].string }) == ["Grúas Rápidas", "TowPro Madrid"])
        }
    }

    @Test("a reset deletes every row the demo owned, keeps other tenants, and seeds again with new credentials")
    func reset() async throws {
        try await TestApp.run { client, fixtures in
            let first = try #require(try await fixtures.provisioning.seedDemo())
            let demoID = try #require(try await fixtures.provisioning.tenant(slug: "demo")).id
            let other = try await fixtures.tenant("other")
            let otherAPI = APICaller(client, other)
            #expect(try await otherAPI.post("/v1/organizations", #"{"kind":"company","name":"Keep me"}"#).status == .created)

            // Rows in many tables: a conversation, its messages, routing state, stream events.
            let api = APICaller(client, token: first.apiKey)
            let lucia = try #require(try await api.get("/v1/members?q=Luc%C3%ADa").json["data"].array.first?["id"].string)
            #expect(try await api.post("/v1/members/\(lucia)/identities", #"{"kind":"app","external_id":"lucia-phone"}"#).status == .created)
            #expect(try await api.post("/v1/app/messages", #"{"sender":"lucia-phone","provider_message_id":"r-1","text":"grúa"}"#).status == .created)

            #expect(try await fixtures.provisioning.deleteDemo())
            #expect(try await fixtures.provisioning.tenant(slug: "demo") == nil)
            #expect(try await rowsLeft(of: demoID, in: fixtures.database).isEmpty)
            #expect(try await APICaller(client, token: first.apiKey).get("/v1/jobs").status == .unauthorized)
            #expect(try await otherAPI.get("/v1/organizations").json["data"].array.map { $0["name"].string } == ["Keep me"])
            #expect(try await fixtures.provisioning.deleteDemo() == false)

            let second = try #require(try await fixtures.provisioning.seedDemo())
            #expect(second.adminPassword != first.adminPassword)
            #expect(try await APICaller(client, token: second.apiKey).get("/v1/jobs?order_number=PO-1001").json["data"].array.count == 1)
        }
    }

    /// Every table with a `tenant_id` that still holds a row of `tenantID`.
    private func rowsLeft(of tenantID: UUID, in database: Database) async throws -> [String] {
        try await database.withTenant(tenantID) { connection in
            let tables = try await connection.query("""
                SELECT c.table_name FROM information_schema.columns AS c
                JOIN information_schema.tables AS t USING (table_schema, table_name)
                WHERE c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' AND c.table_schema = current_schema()
                """, logger: database.logger).collect().map { try $0.decode(String.self) }
            #expect(tables.count > 20)
            var left: [String] = []
            for table in tables {
                let count = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE tenant_id = $1", binds: try binds(tenantID)),
                    logger: database.logger
                ).collect().first?.decode(Int.self) ?? 0
                if count > 0 { left.append(table) }
            }
            return left
        }
    }

    private func binds(_ id: UUID) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(id)
        return binds
    }
}
