import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Live stream access")
struct StreamAccessTests {
    @Test("an agent outside the team gets nothing of that conversation; another tenant gets nothing at all")
    func visibility() async throws {
        try await TestApp.runLive { client, fixtures in
            let desk = try await StreamTests.desk(client, fixtures, members: 2)
            let other = try await StreamTests.desk(client, fixtures, tenant: "globex")
            let team = try #require(try await desk.admin.post("/v1/teams", #"{"name":"Grúas"}"#).json["id"].string)
            let insider = try await fixtures.user(in: desk.fixture.tenant, role: .agent)
            let outsider = try await fixtures.user(in: desk.fixture.tenant, role: .agent)
            #expect(try await desk.admin.put("/v1/teams/\(team)/members/\(insider.userID.uuidString)", #"{"role":"member"}"#).status == .ok)
            let teamConversation = try await desk.send("m-1", "Solo para el equipo", member: 0)
            #expect(try await desk.admin.post("/v1/conversations/\(teamConversation)/assign", #"{"team_id":"\#(team)"}"#).status == .ok)

            try await withStream(client, token: insider.token) { insiderInbox, _ in
                try await withStream(client, token: outsider.token) { outsiderInbox, _ in
                    try await withStream(client, token: other.fixture.token) { otherInbox, _ in
                        // Invisible to the outsider and the other tenant...
                        _ = try await desk.admin.post("/v1/conversations/\(teamConversation)/notes", #"{"text":"secreto"}"#)
                        _ = try await desk.admin.put("/v1/conversations/\(teamConversation)/tags/vip", "")
                        // ...then one each may see: events arrive in id order, so a first event
                        // that is this one proves the earlier ones were not delivered.
                        let shared = try await desk.send("m-2", "Para cualquiera", member: 1)
                        let otherConversation = try await other.send("g-1", "Hola desde Globex")

                        let insiderEvents = try await insiderInbox.events(4)
                        #expect(insiderEvents.map { $0["conversation_id"].string } == [teamConversation, teamConversation, shared, shared])
                        #expect(insiderEvents[0]["message"]["text"].string == "secreto")

                        let outsiderEvents = try await outsiderInbox.events(2)
                        #expect(outsiderEvents.map { $0["conversation_id"].string } == [shared, shared])

                        let otherEvents = try await otherInbox.events(2)
                        #expect(otherEvents.map { $0["conversation_id"].string } == [otherConversation, otherConversation])
                    }
                }
            }
        }
    }

    @Test("without valid credentials the upgrade is refused; the stream URL explains refusals as 4xx JSON")
    func auth() async throws {
        try await TestApp.runLive { client, fixtures in
            let admin = try await fixtures.tenant()
            let caller = APICaller(client, admin)
            let noScope = try #require(try await caller.post("/v1/api-keys", #"{"name":"ERP","scopes":["network:read"]}"#).json["key"].string)
            let reader = try #require(try await caller.post("/v1/api-keys", #"{"name":"Feed","scopes":["conversations:read"]}"#).json["key"].string)
            // The reason for a refusal, as JSON, to a plain GET of the stream's URL.
            func get(_ path: String, token: String?) async throws -> TestResponse {
                try await APICaller(client, token: token).send(.get, path)
            }
            for (path, token) in [("/v1/stream", nil), ("/v1/stream", "not-a-token"), ("/v1/stream", "fl_live_nope"),
                                  ("/v1/stream?access_token=garbage", nil)] as [(String, String?)] {
                let response = try await get(path, token: token)
                #expect(response.status == .unauthorized, "\(path) \(token ?? "-")")
                #expect(response.json["error"]["code"].string == "unauthorized")
            }
            #expect(try await get("/v1/stream", token: noScope).status == .forbidden)
            let badAfter = try await get("/v1/stream?after=-1", token: admin.token)
            #expect(badAfter.status == .badRequest)
            #expect(badAfter.json["error"]["field"].string == "after")
            let plain = try await caller.get("/v1/stream")
            #expect(plain.status.code == 426)
            #expect(plain.json["error"]["code"].string == "websocket_required")

            // A real WebSocket handshake is refused (hummingbird-websocket answers a bare 400),
            // and one with an API key is served.
            await #expect(throws: (any Error).self) {
                try await withStream(client, token: "invalid") { _, _ in }
            }
            try await withStream(client, token: reader) { _, ready in
                #expect(ready["after"].string == "0")
            }
        }
    }
}
