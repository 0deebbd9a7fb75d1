import FieldlineDomain
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
            try await Self.agentAndJob(client, try #require(try await fixtures.provisioning.seedDemo()))
        }
    }

    @Test("the demo's finished job has a proof whose photo was made at seeding: real evidence facts, every check true")
    func photoProof() async throws {
        try await TestApp.run { client, fixtures in
            try await Self.photoProof(client, try #require(try await fixtures.provisioning.seedDemo(media: testConfig(database: fixtures.settings))))
        }
    }

    /// The demo's agent signs in with `demo`'s password, and the open job PO-1001 has both
    /// subcontractors as candidates. Shared with `CitusTests.demoFromTheCommandLine`.
    static func agentAndJob(_ client: any TestClientProtocol, _ demo: DemoCredentials) async throws {
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

    /// The demo's completed job PO-1000 has the proof seeded with a photo, whose facts and checks
    /// are all there and whose content the application serves from its media store. Shared with
    /// `CitusTests.demoFromTheCommandLine`.
    static func photoProof(_ client: any TestClientProtocol, _ demo: DemoCredentials) async throws {
        let api = APICaller(client, token: demo.apiKey)
        let job = try #require(try await api.get("/v1/jobs?order_number=PO-1000").json["data"].array.first)
        #expect(job["status"].string == "completed")
        #expect(job["crew_code"].string == "GR-01")
        let proof = try #require(try await api.get("/v1/proofs?order_number=PO-1000").json["data"].array.first)
        let photo = proof["media"][0]
        #expect(photo["content_type"].string == "image/jpeg")
        #expect(photo["width"].int == 480 && photo["height"].int == 320)
        #expect(photo["exif"]["status"].string == "present")
        #expect(photo["exif"]["make"].string == "Fieldline demo camera")
        // A detailed picture: its hash is far from a flat picture's (all zero), so it is not taken for one.
        let hash = try #require(photo["perceptual_hash"].string.flatMap { UInt64($0, radix: 16) })
        #expect(hash.nonzeroBitCount > PerceptualHash.matchDistance && (~hash).nonzeroBitCount > PerceptualHash.matchDistance)
        #expect(photo["job_status_at_arrival"].string == "in_progress")
        for check in ["at_site", "in_window", "exif_consistent", "unique"] {
            #expect(proof["checks"][check].bool == true, "\(check): \(proof["checks"])")
        }
        let content = try await api.get("/v1/media/\(try #require(photo["id"].string))/content")
        #expect(content.status == .ok)
        #expect(Array(buffer: content.body).prefix(2) == [0xFF, 0xD8])
        let timeline = try await api.get("/v1/jobs/\(try #require(job["id"].string))/timeline").json["data"].array
        #expect(timeline.compactMap { $0["type"].string }.filter { $0 != "job.created" }
                == ["job.status_changed", "proof.submitted", "job.status_changed"])
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
            let left = try await Self.rowsLeft(of: demoID, in: fixtures.database)
            #expect(left.isEmpty, "\(left)")
            #expect(try await APICaller(client, token: first.apiKey).get("/v1/jobs").status == .unauthorized)
            #expect(try await otherAPI.get("/v1/organizations").json["data"].array.map { $0["name"].string } == ["Keep me"])
            #expect(try await fixtures.provisioning.deleteDemo() == false)

            let second = try #require(try await fixtures.provisioning.seedDemo())
            #expect(second.adminPassword != first.adminPassword)
            #expect(try await APICaller(client, token: second.apiKey).get("/v1/jobs?order_number=PO-1001").json["data"].array.count == 1)
        }
    }

    /// Every table with a `tenant_id` that still holds a row of `tenantID`.
    static func rowsLeft(of tenantID: UUID, in database: Database) async throws -> [String] {
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

    private static func binds(_ id: UUID) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(id)
        return binds
    }
}
