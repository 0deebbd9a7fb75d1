import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// The member's timeline shows what the viewer may open elsewhere (issue 15): conversations as
/// at `GET /v1/conversations/{id}`, jobs and proofs as at `GET /v1/jobs/{id}` and `/v1/proofs/{id}`.
@Suite("The member's timeline within the viewer's visibility")
struct TimelineVisibilityTests {
    /// Sends one message from the desk's member and returns the conversation it went to.
    static func write(_ desk: ConversationsTests.Desk, _ id: String, _ text: String) async throws -> String {
        try #require(try await desk.send(id, text).json["conversation_id"].string)
    }

    /// The archived conversation ids of the desk member's timeline as `caller` gets it (status 200).
    static func archive(_ caller: APICaller, _ desk: ConversationsTests.Desk) async throws -> [String?] {
        let timeline = try await caller.get("/v1/members/\(desk.memberID)/timeline")
        #expect(timeline.status == .ok)
        return timeline.json["data"].array.map { $0["conversation"]["id"].string }
    }

    @Test("a supervisor outside the member's subtree gets none of its archive; one inside gets what it may open; an admin all")
    func supervisors() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let admin = desk.admin
            let conversation = try await Self.write(desk, "m-1", "Grúa en el km 12")
            let tow = try #require(try await admin.get("/v1/members/\(desk.memberID)").json["organization_id"].string)
            let north = try #require(try await admin.post("/v1/organizations", #"{"kind":"partner","name":"Norte"}"#).json["id"].string)
            #expect(try await admin.patch("/v1/organizations/\(tow)", #"{"parent_id":"\#(north)"}"#).status == .ok)
            let south = try #require(try await admin.post("/v1/organizations", #"{"kind":"partner","name":"Sur"}"#).json["id"].string)
            let far = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Far"}"#).json["id"].string)
            func job(_ number: String, _ organization: String, linked: Bool) async throws -> String {
                let link = linked ? #","conversation_id":"\#(conversation)""# : ""
                return try #require(try await admin.post(
                    "/v1/jobs", #"{"order_number":"\#(number)","title":"Tow","status":"assigned","organization_id":"\#(organization)"\#(link)}"#
                ).json["id"].string)
            }
            let ours = try await job("PO-1", tow, linked: true)
            let farLinked = try await job("PO-2", far, linked: true)
            let farAlone = try await job("PO-3", far, linked: false)
            let ourProof = try #require(try await admin.post("/v1/jobs/\(ours)/proofs", #"{"latitude":40,"longitude":-3}"#).json["id"].string)
            let farProof = try #require(try await admin.post("/v1/jobs/\(farAlone)/proofs", #"{"latitude":41,"longitude":-3}"#).json["id"].string)
            // As when its evidence is media from this conversation: the proof shows there, yet follows its job.
            let (conversationID, farProofID) = (try #require(UUID(uuidString: conversation)), try #require(UUID(uuidString: farProof)))
            try await fixtures.database.withTenant(desk.fixture.tenant.id) { connection in
                try await connection.query(
                    "UPDATE proofs SET conversation_id = \(conversationID) WHERE id = \(farProofID)", logger: fixtures.database.logger)
            }
            #expect(try await admin.post("/v1/conversations/\(conversation)/close", "").status == .ok)

            let insideFixture = try await fixtures.user(in: desk.fixture.tenant, role: .supervisor)
            let outsideFixture = try await fixtures.user(in: desk.fixture.tenant, role: .supervisor)
            #expect(try await admin.patch("/v1/users/\(insideFixture.userID)", #"{"organization_id":"\#(north)"}"#).status == .ok)
            #expect(try await admin.patch("/v1/users/\(outsideFixture.userID)", #"{"organization_id":"\#(south)"}"#).status == .ok)
            let (inside, outside) = (APICaller(client, insideFixture), APICaller(client, outsideFixture))
            let everywhere = APICaller(client, try await fixtures.user(in: desk.fixture.tenant, role: .supervisor))

            // Outside the subtree: nothing of what is a 404 elsewhere.
            #expect(try await Self.archive(outside, desk).isEmpty)
            #expect(try await outside.get("/v1/conversations/\(conversation)").status == .notFound)
            #expect(try await outside.get("/v1/jobs/\(ours)").status == .notFound)
            #expect(try await outside.get("/v1/proofs/\(ourProof)").status == .notFound)

            // Inside: the conversation, its messages, its jobs, and only the proofs whose job it sees.
            let seen = try await inside.get("/v1/members/\(desk.memberID)/timeline").json["data"]
            #expect(seen.array.map { $0["conversation"]["id"].string } == [conversation])
            #expect(seen[0]["messages"].array.map { $0["text"].string } == ["Grúa en el km 12"])
            #expect(seen[0]["jobs"].array.map { $0["id"].string } == [ours, farLinked])
            #expect(seen[0]["proofs"].array.map { $0["id"].string } == [ourProof])
            #expect(try await inside.get("/v1/jobs/\(farLinked)").status == .ok)
            #expect(try await inside.get("/v1/proofs/\(farProof)").status == .notFound)

            // An admin, and a supervisor without an organization, see all of it.
            for caller in [admin, everywhere] {
                let all = try await caller.get("/v1/members/\(desk.memberID)/timeline").json["data"]
                #expect(all.array.map { $0["conversation"]["id"].string } == [conversation])
                #expect(all[0]["jobs"].array.map { $0["id"].string } == [ours, farLinked])
                #expect(all[0]["proofs"].array.map { $0["id"].string } == [ourProof, farProof])
            }
        }
    }

    @Test("an agent's timeline holds the archived conversations it could open: its own, its teams' and team-less ones")
    func agents() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let admin = desk.admin
            let team = try #require(try await admin.post("/v1/teams", #"{"name":"Grúas"}"#).json["id"].string)
            let insiderFixture = try await fixtures.user(in: desk.fixture.tenant, role: .agent)
            let holderFixture = try await fixtures.user(in: desk.fixture.tenant, role: .agent)
            #expect(try await admin.put("/v1/teams/\(team)/members/\(insiderFixture.userID)", "{}").status == .ok)
            let (insider, holder) = (APICaller(client, insiderFixture), APICaller(client, holderFixture))
            let outsider = APICaller(client, try await fixtures.user(in: desk.fixture.tenant, role: .agent))

            let teams = try await Self.write(desk, "m-1", "Para el equipo")
            #expect(try await admin.post("/v1/conversations/\(teams)/assign", #"{"team_id":"\#(team)"}"#).status == .ok)
            #expect(try await admin.post("/v1/conversations/\(teams)/close", "").status == .ok)
            let shared = try await Self.write(desk, "m-2", "Para cualquiera")
            #expect(try await admin.post("/v1/conversations/\(shared)/close", "").status == .ok)
            let held = try await Self.write(desk, "m-3", "Para una agente")
            #expect(try await admin.post("/v1/conversations/\(held)/assign", #"{"assignee_id":"\#(holderFixture.userID)"}"#).status == .ok)
            #expect(try await admin.post("/v1/conversations/\(held)/close", "").status == .ok)

            #expect(try await Self.archive(admin, desk) == [held, shared, teams])
            let expected: [(APICaller, [String])] = [(insider, [shared, teams]), (holder, [held, shared]), (outsider, [shared])]
            for (agent, archive) in expected {
                #expect(try await Self.archive(agent, desk) == archive)
                // The same rule as opening the conversation itself.
                for id in [held, shared, teams] {
                    let status: HTTPResponse.Status = archive.contains(id) ? .ok : .notFound
                    #expect(try await agent.get("/v1/conversations/\(id)").status == status)
                }
            }
            // Pages skip what the agent may not see.
            let first = try await insider.get("/v1/members/\(desk.memberID)/timeline?limit=1").json
            #expect(first["data"].array.map { $0["conversation"]["id"].string } == [shared])
            let cursor = try #require(first["next_cursor"].string)
            let second = try await insider.get("/v1/members/\(desk.memberID)/timeline?limit=1&cursor=\(cursor)").json
            #expect(second["data"].array.map { $0["conversation"]["id"].string } == [teams])
        }
    }
}
