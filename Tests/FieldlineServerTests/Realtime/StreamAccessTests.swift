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

            // A real WebSocket handshake is refused with the reason, and one with an API key is served.
            await #expect(throws: (any Error).self) {
                try await withStream(client, token: "invalid") { _, _ in }
            }
            let port = try #require(client.port)
            for (query, token, status, code) in [
                ("", "invalid", "401 Unauthorized", "unauthorized"), ("?access_token=garbage", nil, "401 Unauthorized", "unauthorized"),
                ("", noScope, "403 Forbidden", "forbidden"), ("?after=-1", reader, "400 Bad Request", "invalid_query_parameter"),
            ] as [(String, String?, String, String)] {
                let outcome = try await Self.handshake("/v1/stream\(query)", token: token, port: port)
                let (head, body) = Self.split(outcome.text)
                #expect(head.hasPrefix("HTTP/1.1 \(status)\r\n"), "\(query) \(token ?? "-"): \(outcome.text)")
                #expect(head.lowercased().contains("content-type: application/json"), "\(head)")
                #expect(head.lowercased().contains("connection: close"), "\(head)")
                // One response, then the connection ends: nothing of the library's bare 400 follows.
                #expect(outcome.closed)
                #expect(!body.contains("HTTP/1.1"), "\(body)")
                let error = try JSONDecoder().decode(JSON.self, from: Data(body.utf8))["error"]
                #expect(error["code"].string == code, "\(body)")
            }
            try await withStream(client, token: reader) { _, ready in
                #expect(ready["after"].string == "0")
            }
        }
    }

    /// A WebSocket handshake written by hand, and what the server answered before closing.
    static func handshake(_ path: String, token: String?, port: Int) async throws -> RawConnection.Outcome {
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        return try await RawConnection.send(
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(authorization)\r\n",
            port: port, wait: .seconds(5))
    }

    /// The head and the body of one HTTP response.
    static func split(_ response: String) -> (head: String, body: String) {
        guard let end = response.range(of: "\r\n\r\n") else { return (response, "") }
        return (String(response[..<end.upperBound]), String(response[end.upperBound...]))
    }
}
