import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Assignment, transfer and tags")
struct AssignmentTests {
    @Test("assign to an agent and a team, transfer to another team, clear; events record each step")
    func assignAndTransfer() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let conversation = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            let agent = try await fixtures.user(in: desk.fixture.tenant, role: .agent)
            let teamA = try #require(try await desk.admin.post("/v1/teams", #"{"name":"A"}"#).json["id"].string)
            let teamB = try #require(try await desk.admin.post("/v1/teams", #"{"name":"B"}"#).json["id"].string)

            let assigned = try await desk.admin.post("/v1/conversations/\(conversation)/assign", #"{"assignee_id":"\#(agent.userID)","team_id":"\#(teamA)"}"#)
            #expect(assigned.status == .ok)
            #expect(assigned.json["assignee_id"].string == agent.userID.uuidString.lowercased())
            #expect(assigned.json["team_id"].string == teamA)
            let agentAPI = APICaller(client, agent)
            #expect(try await agentAPI.get("/v1/conversations?queue=mine").json["data"].array.map { $0["id"].string } == [conversation])

            // The agent hands it to team B (they are not in it): the change is returned, then it is out of sight.
            let transferred = try await agentAPI.post("/v1/conversations/\(conversation)/assign", #"{"assignee_id":null,"team_id":"\#(teamB)"}"#)
            #expect(transferred.status == .ok)
            #expect(transferred.json["team_id"].string == teamB)
            #expect(transferred.json["assignee_id"].isNull)
            #expect(try await agentAPI.get("/v1/conversations/\(conversation)").status == .notFound)
            #expect(try await desk.admin.get("/v1/conversations?queue=unassigned").json["data"].array.count == 1)

            let events = try await fixtures.database.withTenant(desk.fixture.tenant.id) { connection in
                try await connection.query("""
                    SELECT kind, data->>'team_id', data->>'from_team_id' FROM conversation_events
                    WHERE kind IN ('assigned', 'transferred') ORDER BY id
                    """, logger: fixtures.database.logger).collect { try $0.decode((String, String?, String?).self) }
            }
            try #require(events.map(\.0) == ["assigned", "transferred"])
            #expect(events[1].1?.lowercased() == teamB.lowercased() && events[1].2?.lowercased() == teamA.lowercased())
        }
    }

    @Test("assignment refuses unknown or disabled users, unknown teams, empty bodies and archived conversations")
    func assignmentErrors() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let conversation = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            let path = "/v1/conversations/\(conversation)/assign"
            #expect(try await desk.admin.post(path, #"{"assignee_id":"\#(UUID())"}"#).json["error"]["field"].string == "assignee_id")
            #expect(try await desk.admin.post(path, #"{"team_id":"\#(UUID())"}"#).json["error"]["field"].string == "team_id")
            #expect(try await desk.admin.post(path, "{}").status == .unprocessableContent)
            let disabled = try await fixtures.user(in: desk.fixture.tenant, role: .agent)
            _ = try await desk.admin.patch("/v1/users/\(disabled.userID)", #"{"disabled":true}"#)
            #expect(try await desk.admin.post(path, #"{"assignee_id":"\#(disabled.userID)"}"#).status == .unprocessableContent)
            // A user of another tenant is unknown here.
            let foreign = try await fixtures.tenant("elsewhere")
            #expect(try await desk.admin.post(path, #"{"assignee_id":"\#(foreign.userID)"}"#).status == .unprocessableContent)
            _ = try await desk.admin.post("/v1/conversations/\(conversation)/close", "")
            #expect(try await desk.admin.post(path, #"{"team_id":null}"#).json["error"]["code"].string == "conversation_archived")
        }
    }

    @Test("tags are normalised, deduplicated and removable")
    func tags() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let conversation = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            _ = try await desk.admin.put("/v1/conversations/\(conversation)/tags/Urgente", "")
            _ = try await desk.admin.put("/v1/conversations/\(conversation)/tags/urgente", "")
            let tagged = try await desk.admin.put("/v1/conversations/\(conversation)/tags/gr%C3%BAa", "")
            #expect(tagged.json["tags"].array.compactMap(\.string) == ["grúa", "urgente"])
            let untagged = try await desk.admin.delete("/v1/conversations/\(conversation)/tags/urgente")
            #expect(untagged.json["tags"].array.compactMap(\.string) == ["grúa"])
            #expect(try await desk.admin.put("/v1/conversations/\(conversation)/tags/bad%20tag!", "").json["error"]["field"].string == "tag")
        }
    }
}
