import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("The agent's desk")
struct ConversationsTests {
    /// A tenant with a member reachable through the app adapter, and an app API key.
    struct Desk {
        let admin: APICaller
        let app: APICaller
        let memberID: String
        let fixture: TenantFixture

        func send(_ id: String, _ text: String) async throws -> TestResponse {
            try await app.post("/v1/app/messages", #"{"sender":"app-user-1","provider_message_id":"\#(id)","text":"\#(text)"}"#)
        }
    }

    static func desk(_ client: any TestClientProtocol, _ fixtures: Fixtures) async throws -> Desk {
        let fixture = try await fixtures.tenant()
        let admin = APICaller(client, fixture)
        let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
        let member = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"Lucía","identities":[{"kind":"app","external_id":"app-user-1"}]}"#)
        let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
        return Desk(admin: admin, app: APICaller(client, token: key), memberID: try #require(member.json["id"].string), fixture: fixture)
    }

    @Test("inbound messages open a conversation, join it, and a retried webhook is not stored twice")
    func ingestAndDedupe() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            let first = try await desk.send("m-1", "Grúa averiada en km 12")
            #expect(first.status == .created)
            #expect(first.json["duplicate"].bool == false)
            let conversation = try #require(first.json["conversation_id"].string)
            let retry = try await desk.send("m-1", "Grúa averiada en km 12")
            #expect(retry.status == .ok)
            #expect(retry.json["duplicate"].bool == true)
            #expect(retry.json["message_id"] == first.json["message_id"])
            let second = try await desk.send("m-2", "¿Alguien?")
            #expect(second.json["conversation_id"].string == conversation)

            let messages = try await desk.admin.get("/v1/conversations/\(conversation)/messages")
            #expect(messages.json["data"].array.map { $0["text"].string } == ["¿Alguien?", "Grúa averiada en km 12"])
            #expect(messages.json["data"][0]["direction"].string == "inbound")
            let list = try await desk.admin.get("/v1/conversations?queue=unassigned")
            #expect(list.json["data"].array.map { $0["id"].string } == [conversation])
            #expect(list.json["data"][0]["member_id"].string == desk.memberID)
        }
    }

    @Test("reply queues an outbound message and its outbox row in one transaction; close archives")
    func replyAndClose() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            let conversation = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            let reply = try await desk.admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"  Vamos para allá  "}"#)
            #expect(reply.status == .created)
            #expect(reply.json["text"].string == "Vamos para allá")
            #expect(reply.json["delivery_status"].string == "queued")
            #expect(reply.json["author_user_id"].string == desk.fixture.userID.uuidString.lowercased())
            let messageID = try #require(reply.json["id"].string)
            let outbox = try await fixtures.database.client.query(
                "SELECT count(*)::int FROM outbox WHERE topic = 'message.send' AND payload->>'message_id' = \(messageID.lowercased())",
                logger: fixtures.database.logger
            ).first { try $0.decode(Int.self) }
            #expect(outbox == 1)
            #expect(try await desk.admin.get("/v1/conversations/\(conversation)").json["first_human_reply_at"].string != nil)

            #expect(try await desk.admin.post("/v1/conversations/\(conversation)/notes", #"{"text":"Cliente VIP"}"#).json["direction"].string == "internal")
            let closed = try await desk.admin.post("/v1/conversations/\(conversation)/close", "")
            #expect(closed.status == .ok)
            #expect(closed.json["status"].string == "closed")
            let again = try await desk.admin.post("/v1/conversations/\(conversation)/close", "")
            #expect(again.status == .conflict)
            #expect(again.json["error"]["code"].string == "already_closed")
            let late = try await desk.admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"¿Sigue ahí?"}"#)
            #expect(late.status == .conflict)
            #expect(late.json["error"]["code"].string == "conversation_archived")
            #expect(late.json["error"]["message"].string?.contains("/timeline") == true)
            #expect(try await desk.admin.post("/v1/conversations/\(conversation)/notes", #"{"text":"x"}"#).status == .conflict)

            let events = try await fixtures.database.withTenant(desk.fixture.tenant.id) { connection in
                try await connection.query("SELECT kind FROM conversation_events ORDER BY id", logger: fixtures.database.logger)
                    .collect { try $0.decode(String.self) }
            }
            #expect(events == ["opened", "first_human_reply", "closed"])
        }
    }

    @Test("after closing, the member's next message opens a new conversation and a second agent sees the first in the timeline")
    func timelineForTheNextAgent() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            let first = try #require(try await desk.send("m-1", "Necesito grúa").json["conversation_id"].string)
            _ = try await desk.admin.post("/v1/conversations/\(first)/messages", #"{"text":"Enviada"}"#)
            _ = try await desk.admin.post("/v1/conversations/\(first)/notes", #"{"text":"Pagó en efectivo"}"#)
            #expect(try await desk.admin.post("/v1/conversations/\(first)/close", "").status == .ok)

            let second = try #require(try await desk.send("m-2", "Otra vez yo").json["conversation_id"].string)
            #expect(second != first)

            let otherAgent = APICaller(client, try await fixtures.user(in: desk.fixture.tenant, role: .agent))
            let timeline = try await otherAgent.get("/v1/members/\(desk.memberID)/timeline")
            #expect(timeline.status == .ok)
            #expect(timeline.json["data"].array.map { $0["conversation"]["id"].string } == [first])
            #expect(timeline.json["data"][0]["messages"].array.map { $0["text"].string } == ["Necesito grúa", "Enviada", "Pagó en efectivo"])
            #expect(try await otherAgent.get("/v1/conversations/\(second)").json["status"].string == "open")
            #expect(try await otherAgent.get("/v1/members/\(UUID())/timeline").status == .notFound)
        }
    }

    @Test("agents see only their own, their teams' and unassigned team-less conversations")
    func teamVisibility() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            let conversation = try #require(try await desk.send("m-1", "Hola").json["conversation_id"].string)
            let team = try #require(try await desk.admin.post("/v1/teams", #"{"name":"Grúas"}"#).json["id"].string)
            let insider = try await fixtures.user(in: desk.fixture.tenant, role: .agent)
            let outsider = APICaller(client, try await fixtures.user(in: desk.fixture.tenant, role: .agent))
            #expect(try await desk.admin.put("/v1/teams/\(team)/members/\(insider.userID)", "{}").status == .ok)
            // Visible to every agent while it belongs to no team.
            #expect(try await outsider.get("/v1/conversations/\(conversation)").status == .ok)
            try await fixtures.database.withTenant(desk.fixture.tenant.id) { connection in
                try await connection.query("UPDATE conversations SET team_id = \(UUID(uuidString: team)!)", logger: fixtures.database.logger)
            }
            #expect(try await outsider.get("/v1/conversations/\(conversation)").status == .notFound)
            #expect(try await outsider.get("/v1/conversations").json["data"].array.isEmpty)
            #expect(try await outsider.post("/v1/conversations/\(conversation)/messages", #"{"text":"x"}"#).status == .notFound)
            let insiderAPI = APICaller(client, insider)
            #expect(try await insiderAPI.get("/v1/conversations?queue=teams").json["data"].array.map { $0["id"].string } == [conversation])
            #expect(try await insiderAPI.get("/v1/conversations?queue=mine").json["data"].array.isEmpty)
            let supervisor = APICaller(client, try await fixtures.user(in: desk.fixture.tenant, role: .supervisor))
            #expect(try await supervisor.get("/v1/conversations/\(conversation)").status == .ok)
        }
    }

    @Test("bad inbound and replies are clear 4xx errors")
    func badInput() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            let stranger = try await desk.app.post("/v1/app/messages", #"{"sender":"nobody","provider_message_id":"x","text":"hi"}"#)
            #expect(stranger.status == .unprocessableContent)
            #expect(stranger.json["error"]["code"].string == "unknown_sender")
            #expect(try await desk.app.post("/v1/app/messages", #"{"sender":"app-user-1","provider_message_id":"x"}"#).json["error"]["field"].string == "text")
            #expect(try await desk.app.post("/v1/app/messages", #"{"sender":"app-user-1","provider_message_id":"x","latitude":95,"longitude":1}"#).json["error"]["field"].string == "latitude")
            let long = String(repeating: "a", count: 5000)
            #expect(try await desk.app.post("/v1/app/messages", #"{"sender":"app-user-1","provider_message_id":"x","text":"\#(long)"}"#).json["error"]["code"].string == "too_long")
            // A user token has no inbound:write; the app key cannot read conversations.
            #expect(try await desk.admin.post("/v1/app/messages", #"{"sender":"app-user-1","provider_message_id":"y","text":"hi"}"#).status == .forbidden)
            #expect(try await desk.app.get("/v1/conversations").status == .forbidden)
            let located = try await desk.app.post("/v1/app/messages", #"{"sender":"app-user-1","provider_message_id":"loc","latitude":40.4,"longitude":-3.7}"#)
            #expect(located.status == .created)
            let conversation = try #require(located.json["conversation_id"].string)
            #expect(try await desk.admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]["kind"].string == "location")
            #expect(try await desk.admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"   "}"#).json["error"]["field"].string == "text")
            #expect(try await desk.admin.get("/v1/conversations?queue=nobody").status == .badRequest)
        }
    }
}
