import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

/// Every writer of a change an integrator hears about records its event, in its transaction:
/// the writers beyond the API's own routes (channel fan-out, dispatch).
@Suite("Business events from channel posts and dispatch")
struct EventSourcesTests {
    /// The tenant's events of `type`, in feed order, as stored (type and body).
    static func recorded(_ fixtures: Fixtures, _ tenant: UUID, _ type: String) async throws -> [JSON] {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query(
                "SELECT body::text FROM events WHERE tenant_id = \(tenant) AND type = \(type) ORDER BY txid, seq",
                logger: fixtures.database.logger
            ).collect { try JSONDecoder().decode(JSON.self, from: Data(try $0.decode(String.self).utf8)) }
        }
    }

    @Test("a channel post that opens conversations for its recipients records conversation.opened for each new one, with the conversation as the API answers it")
    func channelPostOpens() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
            let app = APICaller(client, token: key)
            let agency = try await ChannelsTests.organization(admin, "partner", "Agencia")
            let tow = try await ChannelsTests.organization(admin, "subcontractor", "Grúas", parent: agency)
            let ana = try await ChannelsTests.member(admin, tow, "Ana", appUser: "u-ana")
            let beto = try await ChannelsTests.member(admin, tow, "Beto", appUser: "u-beto")
            let carla = try await ChannelsTests.member(admin, tow, "Carla", appUser: "u-carla")
            // Ana already talks to the desk: the post joins her conversation, opening nothing.
            let existing = try await app.post("/v1/app/messages", #"{"sender":"u-ana","provider_message_id":"a-1","text":"Hola"}"#)
            let anaConversation = try #require(existing.json["conversation_id"].string)
            #expect(try await Self.recorded(fixtures, fixture.tenant.id, "conversation.opened").map { $0["id"].string } == [anaConversation])

            let channel = try #require(try await admin.post(
                "/v1/channels", #"{"kind":"hierarchical","name":"Todos","organization_id":"\#(agency)"}"#).json["id"].string)
            #expect(try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Turno a las 20h"}"#).status == .created)

            let opened = try await Self.recorded(fixtures, fixture.tenant.id, "conversation.opened")
            #expect(opened.count == 3)
            let new = Array(opened.dropFirst())
            let members = new.compactMap { $0["member_id"].string }
            #expect(Set(members) == [beto, carla])
            #expect(!members.contains(ana))
            for body in new {
                let id = try #require(body["id"].string)
                #expect(body == (try await admin.get("/v1/conversations/\(id)").json), "the body is the conversation as the API answers it")
            }
            // The poller sees them too, in the feed.
            let feed = try await EventsTests.all(admin, count: 3, types: "conversation.opened")
            #expect(feed.map { $0["data"]["id"].string } == opened.map { $0["id"].string })
        }
    }

    @Test("a broadcast opens a conversation for a crew member who had none (conversation.opened), and an agent's assignment by hand records job.assigned")
    func dispatchEvents() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34617000001")
            // B's member never wrote: the offer opens a conversation for them.
            let bOrg = try #require(try await admin.post(
                "/v1/organizations", #"{"kind":"subcontractor","name":"Tow B","tags":["towing"]}"#).json["id"].string)
            let latitude = BroadcastTestSupport.site.latitude + 2 / 111.195
            #expect(try await admin.post("/v1/service-areas", #"""
                {"organization_id":"\#(bOrg)","name":"B area","latitude":\#(latitude),"longitude":\#(BroadcastTestSupport.site.longitude),"radius_km":30}
                """#).status == .created)
            let bMember = try await BroadcastTestSupport.member(admin, bOrg, digits: "34617000002")
            let before = try await Self.recorded(fixtures, tenant, "conversation.opened")
            #expect(before.count == 1)

            let job = try await BroadcastTestSupport.job(admin, "PO-EVT")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
            let opened = try await Self.recorded(fixtures, tenant, "conversation.opened")
            #expect(opened.count == 2)
            #expect(opened.last?["member_id"].string == bMember)
            let bConversation = try #require(opened.last?["id"].string)
            #expect(opened.last == (try await admin.get("/v1/conversations/\(bConversation)").json))
            #expect(try await Self.recorded(fixtures, tenant, "job.offered").map { $0["id"].string } == [job])

            let assigned = try await admin.post("/v1/jobs/\(job)/assign", #"{"organization_id":"\#(a.org)"}"#)
            #expect(assigned.status == .ok, "\(assigned.text)")
            let events = try await Self.recorded(fixtures, tenant, "job.assigned")
            #expect(events.count == 1)
            #expect(events.first == (try await admin.get("/v1/jobs/\(job)").json))
            #expect(events.first?["organization_id"].string == a.org)
        }
    }
}
