import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Edges of members speaking in channels from their apps: retries and the post lock, a `#handle`
/// the member cannot use, and routing (docs/channels.md).
@Suite("Channels: member messages — retries, foreign handles, routing")
struct MemberChannelEdgeTests {
    typealias Support = ProviderTestSupport
    typealias Member = MemberChannelMessagesTests

    /// What a request running in the background answered, once it has.
    actor Answer {
        var response: (status: Int, json: JSON)?
        /// Records the answer.
        func set(_ status: Int, _ json: JSON) { response = (status, json) }
    }

    /// An app API key's caller (`inbound:write`), for members writing through the built-in app adapter.
    static func appCaller(_ client: any TestClientProtocol, _ admin: APICaller) async throws -> APICaller {
        let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
        return APICaller(client, token: key)
    }

    @Test("a retried channel message returns the stored copy without waiting for the tenant's post lock")
    func retryDoesNotWaitForPostLock() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let app = try await Self.appCaller(client, admin)
            let (sur, norte, _, channel) = try await Member.peers(admin, handle: "pares")
            _ = try await ChannelsTests.member(admin, sur, "Ana", appUser: "u-ana")
            let carla = try await ChannelsTests.member(admin, norte, "Carla", appUser: "u-carla")
            let body = ##"{"sender":"u-ana","provider_message_id":"a-1","text":"#pares Llego en 10"}"##
            let first = try await app.post("/v1/app/messages", body)
            #expect(first.status == .created)

            // Another post of the tenant is fanning out (it holds the lock) while the app retries.
            let answer = Answer()
            let retry = try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                try await PostgresChannelsRepository(database: fixtures.database).lockPosts(tenantID: fixture.tenant.id, connection)
                let retry = Task {
                    let response = try await app.post("/v1/app/messages", body)
                    await answer.set(Int(response.status.code), response.json)
                }
                let answeredWhileLocked = try await eventually(seconds: 5) { await answer.response != nil }
                #expect(answeredWhileLocked, "the retry waited for the post lock")
                return retry
            }
            try await retry.value
            let retried = try #require(await answer.response)
            #expect(retried.status == 200)
            #expect(retried.json["duplicate"].bool == true)
            #expect(retried.json["message_id"].string == first.json["message_id"].string)
            #expect(try await Member.thread(channel, admin).count == 1)
            #expect(try await Member.messages(of: carla, admin).count == 1)
        }
    }

    @Test("a quoted relay starting with another channel's #handle is an ordinary message; a #word that is no handle is posted as written")
    func quotedRelayWithForeignHandle() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await Support.adapter(admin, "whatsapp")
                let (sur, norte, lejos, channel) = try await Member.peers(admin)
                // A channel Ana is not in, with a handle.
                let cerca = try await ChannelsTests.organization(admin, "subcontractor", "Cerca")
                #expect(try await admin.post("/v1/organizations/\(lejos)/relations", #"{"peer_id":"\#(cerca)"}"#).status == .created)
                let other = try await admin.post(
                    "/v1/channels", #"{"kind":"horizontal","name":"Lejos y Cerca","organization_ids":["\#(lejos)","\#(cerca)"],"handle":"lejos"}"#)
                let otherID = try #require(other.json["id"].string, "\(other.text)")
                let ana = try await Member.member(admin, sur, "Ana", "whatsapp", "+16505551234")
                let carla = try await ChannelsTests.member(admin, norte, "Carla", appUser: "u-carla")
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.IN1", text: "Hola")).status == .ok)
                let announcement = try #require(try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Reunión a las 9"}"#).json["id"].string)
                let relay = try await Member.sentCopy(of: announcement, to: ana, admin)

                let foreign = Member.whatsAppReply(id: "wamid.IN2", quoting: relay, text: "#lejos ¿alguien por ahí?")
                #expect(try await WebhookTests.postSigned(client, hook, foreign).status == .ok)
                #expect(try await Member.thread(channel, admin).count == 1)
                #expect(try await Member.thread(otherID, admin).isEmpty)
                #expect(try await Member.messages(of: carla, admin).count == 1)
                let anas = try await Member.messages(of: ana, admin)
                #expect(anas.first?["text"].string == "#lejos ¿alguien por ahí?")
                #expect(anas.first?["channel_post_id"].isNull == true)

                let word = Member.whatsAppReply(id: "wamid.IN3", quoting: relay, text: "#urgente ya voy")
                #expect(try await WebhookTests.postSigned(client, hook, word).status == .ok)
                #expect(try await Member.thread(channel, admin).map { $0["text"].string } == ["#urgente ya voy", "Reunión a las 9"])
            }
        }
    }

    @Test("a channel message that opens a conversation skips routing: no team, no welcome, though routing is on")
    func channelMessageSkipsRouting() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let app = try await Self.appCaller(client, admin)
            let (sur, norte, lejos, channel) = try await Member.peers(admin, handle: "pares")
            let ana = try await ChannelsTests.member(admin, sur, "Ana", appUser: "u-ana")
            _ = try await ChannelsTests.member(admin, norte, "Carla", appUser: "u-carla")
            _ = try await ChannelsTests.member(admin, lejos, "Dora", appUser: "u-dora")
            let support = try #require(try await admin.post("/v1/teams", #"{"name":"Soporte"}"#).json["id"].string)
            #expect(try await admin.put("/v1/routing", #"{"enabled":true,"welcome_message":"¡Hola! Elige:\n{menu}"}"#).status == .ok)
            #expect(try await admin.post(
                "/v1/routing/rules", #"{"team_id":"\#(support)","label":"Averías","menu_number":1,"keywords":["camión"]}"#).status == .created)

            let posted = try await app.post("/v1/app/messages", ##"{"sender":"u-ana","provider_message_id":"a-1","text":"#pares se rompió el camión"}"##)
            #expect(posted.status == .created)
            #expect(try await Member.thread(channel, admin).map { $0["text"].string } == ["se rompió el camión"])
            let conversation = try #require(posted.json["conversation_id"].string)
            let state = try await admin.get("/v1/conversations/\(conversation)").json
            #expect(state["member_id"].string == ana)
            #expect(state["team_id"].isNull)
            #expect(state["routing_state"].string != "awaiting_choice")
            let texts = try await Member.messages(of: ana, admin)
            #expect(texts.map { $0["text"].string } == ["#pares se rompió el camión"])
            #expect(!texts.contains { $0["kind"].string == "system" })

            // The same words opening a conversation with the desk are routed by the keyword.
            let direct = try await app.post("/v1/app/messages", ##"{"sender":"u-dora","provider_message_id":"d-1","text":"se rompió el camión"}"##)
            let routed = try await admin.get("/v1/conversations/\(try #require(direct.json["conversation_id"].string))").json
            #expect(routed["team_id"].string == support)
        }
    }
}
