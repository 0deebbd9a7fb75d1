import Foundation
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

@Suite("Cross-tenant access")
struct CrossTenantTests {
    /// Every route that names a resource by id, called by another tenant's admin with that
    /// tenant's ids. The list is checked against the router so a new route cannot be forgotten.
    static func calls(_ ids: [String: String]) -> [(method: String, template: String, body: String?)] {
        [
            ("GET", "/v1/organizations/{id}", nil),
            ("PATCH", "/v1/organizations/{id}", #"{"name":"Stolen"}"#),
            ("DELETE", "/v1/organizations/{id}", nil),
            ("GET", "/v1/organizations/{id}/subtree", nil),
            ("GET", "/v1/organizations/{id}/ancestors", nil),
            ("GET", "/v1/organizations/{id}/relations", nil),
            ("POST", "/v1/organizations/{id}/relations", #"{"peer_id":"\#(ids["peer"]!)"}"#),
            ("DELETE", "/v1/organizations/{id}/relations/{peerId}", nil),
            ("GET", "/v1/members/{id}", nil),
            ("PATCH", "/v1/members/{id}", #"{"name":"Stolen"}"#),
            ("DELETE", "/v1/members/{id}", nil),
            ("POST", "/v1/members/{id}/identities", #"{"kind":"telegram","external_id":"424242"}"#),
            ("DELETE", "/v1/members/{id}/identities/{identityId}", nil),
            ("GET", "/v1/crews/{id}", nil),
            ("PATCH", "/v1/crews/{id}", #"{"name":"Stolen"}"#),
            ("DELETE", "/v1/crews/{id}", nil),
            ("PUT", "/v1/crews/{id}/members/{memberId}", nil),
            ("DELETE", "/v1/crews/{id}/members/{memberId}", nil),
            ("GET", "/v1/service-areas/{id}", nil),
            ("PATCH", "/v1/service-areas/{id}", #"{"radius_km":5}"#),
            ("DELETE", "/v1/service-areas/{id}", nil),
            ("GET", "/v1/users/{id}", nil),
            ("PATCH", "/v1/users/{id}", #"{"name":"Stolen"}"#),
            ("GET", "/v1/teams/{id}", nil),
            ("PATCH", "/v1/teams/{id}", #"{"name":"Stolen"}"#),
            ("DELETE", "/v1/teams/{id}", nil),
            ("GET", "/v1/teams/{id}/members", nil),
            ("PUT", "/v1/teams/{id}/members/{userId}", #"{"role":"member"}"#),
            ("DELETE", "/v1/teams/{id}/members/{userId}", nil),
            ("DELETE", "/v1/api-keys/{id}", nil),
            ("GET", "/v1/members/{id}/timeline", nil),
            ("GET", "/v1/conversations/{id}", nil),
            ("GET", "/v1/conversations/{id}/messages", nil),
            ("POST", "/v1/conversations/{id}/messages", #"{"text":"Stolen"}"#),
            ("POST", "/v1/conversations/{id}/notes", #"{"text":"Stolen"}"#),
            ("POST", "/v1/conversations/{id}/close", "{}"),
            ("POST", "/v1/conversations/{id}/assign", #"{"team_id":null}"#),
            ("GET", "/v1/adapters/{id}", nil),
            ("DELETE", "/v1/adapters/{id}", nil),
            ("PUT", "/v1/conversations/{id}/tags/{tag}", nil),
            ("DELETE", "/v1/conversations/{id}/tags/{tag}", nil),
            ("POST", "/v1/conversations/{id}/snooze", #"{"until":"\#(RFC3339.format(Date().addingTimeInterval(3600)))"}"#),
            ("DELETE", "/v1/conversations/{id}/snooze", nil),
            ("PUT", "/v1/routing/rules/{id}", #"{"team_id":"\#(UUID())","label":"Stolen","menu_number":9}"#),
            ("DELETE", "/v1/routing/rules/{id}", nil),
            ("GET", "/v1/teams/{id}/routing", nil),
            ("PUT", "/v1/teams/{id}/routing", #"{"assignment_strategy":"least_busy"}"#),
            ("GET", "/v1/teams/{id}/queue", nil),
            ("GET", "/v1/users/{id}/availability", nil),
            ("PUT", "/v1/users/{id}/availability", #"{"availability":"online"}"#),
            ("GET", "/v1/media/{id}", nil),
            ("GET", "/v1/media/{id}/content", nil),
            ("POST", "/v1/media/{id}/links", "{}"),
            ("GET", "/v1/channels/{id}", nil),
            ("PATCH", "/v1/channels/{id}", #"{"name":"Stolen","handle":"stolen"}"#),
            ("DELETE", "/v1/channels/{id}", nil),
            ("GET", "/v1/channels/{id}/posts", nil),
            ("POST", "/v1/channels/{id}/posts", #"{"text":"Stolen"}"#),
            ("GET", "/v1/jobs/{id}", nil),
            ("PATCH", "/v1/jobs/{id}", #"{"title":"Stolen"}"#),
            ("POST", "/v1/jobs/{id}/proofs", #"{"latitude":40,"longitude":-3}"#),
            ("GET", "/v1/jobs/{id}/candidates", nil),
            ("POST", "/v1/jobs/{id}/broadcast", "{}"),
            ("GET", "/v1/jobs/{id}/offers", nil),
            ("GET", "/v1/proofs/{id}", nil),
            ("POST", "/v1/proofs/{id}/review", #"{"decision":"rejected","reason":"Stolen"}"#),
            ("POST", "/v1/jobs/{id}/offers/withdraw", "{}"),
            ("POST", "/v1/jobs/{id}/rebroadcast", "{}"),
            ("POST", "/v1/jobs/{id}/assign", #"{"organization_id":"\#(ids["peer"]!)"}"#),
            ("POST", "/v1/offers/{id}/withdraw", "{}"),
            ("GET", "/v1/jobs/{id}/timeline", nil),
            ("GET", "/v1/webhook-endpoints/{id}", nil),
            ("PATCH", "/v1/webhook-endpoints/{id}", #"{"enabled":false}"#),
            ("DELETE", "/v1/webhook-endpoints/{id}", nil),
            ("POST", "/v1/webhook-endpoints/{id}/rotate-secret", "{}"),
            ("GET", "/v1/webhook-endpoints/{id}/deliveries", nil),
            ("POST", "/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/resend", "{}"),
            ("POST", "/v1/webhook-endpoints/{id}/events/{event_id}/resend", "{}"),
            ("GET", "/v1/flows/{id}", nil),
            ("POST", "/v1/flows/{id}/versions", #"{"definition":{"format":1,"start":"a","steps":[{"id":"a","type":"end","text":"Stolen"}]}}"#),
            ("GET", "/v1/flows/{id}/versions/{version}", nil),
            ("POST", "/v1/flows/{id}/runs", #"{"member_id":"\#(UUID())"}"#),
            ("GET", "/v1/flow-runs/{id}", nil),
            ("POST", "/v1/flow-runs/{id}/stop", "{}"),
            ("POST", "/v1/flow-runs/{id}/resume", "{}"),
        ]
    }

    /// The owner's world: one of every resource, and the ids to put in each route's template, by
    /// the route's first segment (the isolation matrix uses it too).
    struct World: Sendable {
        let owner: APICaller
        let values: [String: [String: String]]
        let org, peer, memberID, conversation, photoConversation, job, proof, media, channel: String
        /// A job broadcast to `org` (its offer is `values["offers"]`), and the webhook endpoint.
        let offeredJob, endpoint: String
    }

    /// Builds the world in a tenant of `slug`.
    static func world(_ client: any TestClientProtocol, _ fixtures: Fixtures, slug: String = "owner") async throws -> World {
        let ownerFixture = try await fixtures.tenant(slug)
        let owner = APICaller(client, ownerFixture)
        let org = try #require(try await owner.post("/v1/organizations", #"{"kind":"subcontractor","name":"Owner Tow"}"#).json["id"].string)
        let peer = try #require(try await owner.post("/v1/organizations", #"{"kind":"partner","name":"Owner Peer"}"#).json["id"].string)
        #expect(try await owner.post("/v1/organizations/\(org)/relations", #"{"peer_id":"\#(peer)"}"#).status == .created)
        let member = try await owner.post("/v1/members", #"{"organization_id":"\#(org)","name":"Crew Member","identities":[{"kind":"whatsapp","external_id":"+34600000001"}]}"#)
        let memberID = try #require(member.json["id"].string)
        let identityID = try #require(member.json["identities"][0]["id"].string)
        let crew = try #require(try await owner.post("/v1/crews", #"{"organization_id":"\#(org)","name":"C","crew_code":"OW-1","member_ids":["\#(memberID)"]}"#).json["id"].string)
        let area = try #require(try await owner.post("/v1/service-areas", #"{"organization_id":"\#(org)","name":"A","latitude":40,"longitude":-3,"radius_km":10}"#).json["id"].string)
        let team = try #require(try await owner.post("/v1/teams", #"{"name":"Dispatch"}"#).json["id"].string)
        let ownerUser = try #require(try await owner.get("/v1/users/me").json["id"].string)
        #expect(try await owner.put("/v1/teams/\(team)/members/\(ownerUser)", "{}").status == .ok)
        let key = try #require(try await owner.post("/v1/api-keys", #"{"name":"ERP","scopes":["network:read"]}"#).json["id"].string)
        #expect(try await owner.post("/v1/members/\(memberID)/identities", #"{"kind":"app","external_id":"owner-app-1"}"#).status == .created)
        let adapter = try #require(try await owner.post("/v1/adapters", #"{"provider":"telegram","name":"Bot","credentials":{"bot_token":"1:x","secret_token":"s"}}"#).json["id"].string)
        let rule = try #require(try await owner.post("/v1/routing/rules", #"{"team_id":"\#(team)","label":"Grúas","menu_number":1}"#).json["id"].string)
        let appKey = try #require(try await owner.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
        let conversation = try #require(try await APICaller(client, token: appKey).post(
            "/v1/app/messages", #"{"sender":"owner-app-1","provider_message_id":"p1","text":"hola"}"#).json["conversation_id"].string)
        // A photo through the owner's Telegram bot gives a media item (its fetch never succeeds here: no provider).
        let photo = #"{"update_id":5,"message":{"message_id":9,"date":1700000000,"chat":{"id":4242,"type":"private"},"photo":[{"file_id":"f1","file_unique_id":"u1","width":1,"height":1}]}}"#
        #expect(try await client.execute(uri: "/v1/hooks/telegram/\(adapter.lowercased())", method: .post,
            headers: [.contentType: "application/json", .telegramSecretToken: "s"], body: ByteBuffer(string: photo)) { $0 }.status == .ok)
        let photoConversation = try #require(try await owner.get("/v1/conversations").json["data"].array.first { $0["id"].string != conversation }?["id"].string)
        let media = try #require(try await owner.get("/v1/conversations/\(photoConversation)/messages").json["data"][0]["media"]["id"].string)

        let channel = try #require(try await owner.post(
            "/v1/channels", #"{"kind":"horizontal","name":"Peers","organization_ids":["\#(org)","\#(peer)"]}"#).json["id"].string)
        try await WebhookDeliveryTests.developmentMode(fixtures, ownerFixture.tenant.id)
        let endpoint = try await WebhookDeliveryTests.endpoint(owner, "http://127.0.0.1:9/hook", #"["job.*"]"#).id
        let job = try #require(try await owner.post(
            "/v1/jobs", #"{"order_number":"OW-1","title":"Tow","status":"assigned","organization_id":"\#(org)","conversation_id":"\#(photoConversation)"}"#).json["id"].string)
        let proof = try #require(try await owner.post("/v1/jobs/\(job)/proofs", #"{"media_ids":["\#(media)"]}"#).json["id"].string)
        let offeredJob = try #require(try await owner.post(
            "/v1/jobs", #"{"order_number":"OW-2","title":"Tow","latitude":40,"longitude":-3}"#).json["id"].string)
        let offer = try #require(try await owner.post("/v1/jobs/\(offeredJob)/broadcast", "{}").json["offers"][0]["id"].string)
        let delivery = try #require(try await owner.get("/v1/webhook-endpoints/\(endpoint)/deliveries").json["data"][0]["id"].string)
        let event = try #require(try await EventsTests.all(owner, count: 1).first?["id"].string)
        let flow = try #require(try await owner.get("/v1/flows").json["data"][0]["id"].string)
        let run = try await owner.post("/v1/flows/\(flow)/runs", #"{"conversation_id":"\#(photoConversation)","job_id":"\#(job)"}"#)
        #expect(run.status == .created, "\(run.text)")
        let values: [String: [String: String]] = [
            "organizations": ["id": org, "peerId": peer],
            "members": ["id": memberID, "identityId": identityID],
            "crews": ["id": crew, "memberId": memberID],
            "service-areas": ["id": area],
            "users": ["id": ownerUser],
            "teams": ["id": team, "userId": ownerUser],
            "api-keys": ["id": key],
            "conversations": ["id": conversation, "tag": "stolen"],
            "adapters": ["id": adapter],
            "routing": ["id": rule],
            "media": ["id": media],
            "channels": ["id": channel],
            "jobs": ["id": job],
            "proofs": ["id": proof],
            "offers": ["id": offer],
            "webhook-endpoints": ["id": endpoint, "delivery_id": delivery, "event_id": event],
            "flows": ["id": flow, "version": "1"],
            "flow-runs": ["id": try #require(run.json["id"].string)],
        ]
        return World(owner: owner, values: values, org: org, peer: peer, memberID: memberID, conversation: conversation,
                     photoConversation: photoConversation, job: job, proof: proof, media: media, channel: channel,
                     offeredJob: offeredJob, endpoint: endpoint)
    }

    /// `path` with `template`'s placeholders filled from `values` (by the route's first segment).
    static func fill(_ template: String, _ values: [String: [String: String]]) -> String {
        var path = template
        let resource = String(template.split(separator: "/")[1])
        for (name, value) in values[resource] ?? [:] { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
        return path
    }

    @Test("one tenant's ids are 404 for another tenant on every endpoint, and nothing changes")
    func everyEndpoint() async throws {
        try await TestApp.run { client, fixtures in
            let world = try await Self.world(client, fixtures)
            let owner = world.owner
            let intruder = APICaller(client, try await fixtures.tenant("intruder"))
            // The intruder's own organization, so bodies naming a peer are valid for them.
            let flow = try #require(world.values["flows"]?["id"])
            let intruderPeer = try #require(try await intruder.post("/v1/organizations", #"{"kind":"partner","name":"Mine"}"#).json["id"].string)
            let (values, org, memberID, crew, team, ownerUser, conversation, channel, job, media) =
                (world.values, world.org, world.memberID, world.values["crews"]!["id"]!, world.values["teams"]!["id"]!,
                 world.values["users"]!["id"]!, world.conversation, world.channel, world.job, world.media)
            for call in Self.calls(["peer": intruderPeer]) {
                let path = Self.fill(call.template, values)
                let response = try await intruder.send(.init(call.method)!, path, call.body ?? (call.method == "PUT" ? "{}" : nil))
                #expect(response.status == .notFound, "\(call.method) \(call.template) answered \(response.status.code)")
                #expect(response.json["error"]["code"].string == "not_found", "\(call.method) \(call.template)")
            }
            // The owner's data is untouched.
            #expect(try await owner.get("/v1/organizations/\(org)").json["name"].string == "Owner Tow")
            #expect(try await owner.get("/v1/members/\(memberID)").json["identities"].array.count == 2)
            #expect(try await owner.get("/v1/crews/\(crew)").json["member_ids"].array.count == 1)
            #expect(try await owner.get("/v1/teams/\(team)/members").json["data"].array.count == 1)
            #expect(try await owner.get("/v1/organizations/\(org)/relations").json["data"].array.count == 1)
            // The member's "hola" and the offer of OW-2.
            #expect(try await owner.get("/v1/conversations/\(conversation)/messages").json["data"].array.count == 2)
            #expect(try await owner.get("/v1/conversations/\(conversation)").json["status"].string == "open")
            #expect(try await owner.get("/v1/routing/rules").json["data"][0]["label"].string == "Grúas")
            #expect(try await owner.get("/v1/teams/\(team)/routing").json["assignment_strategy"].string == "round_robin")
            #expect(try await owner.get("/v1/users/\(ownerUser)/availability").json["availability"].string == "offline")
            #expect(try await owner.get("/v1/media/\(media)").json["id"].string == media)
            #expect(try await owner.get("/v1/channels/\(channel)/posts").json["data"].array.isEmpty)
            #expect(try await owner.get("/v1/flows/\(flow)").json["current_version"].int == 1)
            #expect(try await owner.get("/v1/jobs/\(job)").json["title"].string == "Tow")
            #expect(try await owner.get("/v1/jobs/\(world.offeredJob)/offers").json["data"][0]["status"].string == "sent")
            #expect(try await owner.get("/v1/proofs?job_id=\(job)").json["data"].array.map { $0["review_state"].string } == ["submitted"])
            #expect(try await owner.get("/v1/channels/\(channel)").json["name"].string == "Peers")
            #expect(try await owner.get("/v1/channels/\(channel)").json["handle"].isNull)
            // Lists never show the other tenant's rows.
            #expect(try await intruder.get("/v1/organizations").json["data"].array.map { $0["id"].string } == [intruderPeer])
            #expect(try await intruder.get("/v1/members").json["data"].array.isEmpty)
            #expect(try await intruder.get("/v1/jobs").json["data"].array.isEmpty)
            #expect(try await intruder.get("/v1/proofs").json["data"].array.isEmpty)
        }
    }

    @Test("the cross-tenant list covers every route that takes an id")
    func coversEveryRoute() async throws {
        let router = try await inspectionRouter()
        // Provider webhooks and the sandbox phone's routes carry no tenant credential: the
        // adapter id in the URL and the provider's signature or the adapter's secret decide
        // (WebhookTests and SandboxPhoneTests cover them). A signed media link is its own
        // credential, naming its tenant under our signature (MediaLinkTests covers it).
        let idRoutes = Set(router.routes
            .filter { $0.path.description.contains("{") && !$0.path.description.hasPrefix("/v1/hooks/")
                && !$0.path.description.hasPrefix("/v1/sandbox/") }
            .filter { !$0.path.description.hasPrefix("/v1/media-links/") }
            .map { "\($0.method.rawValue) \($0.path.description)" })
        let covered = Set(Self.calls(["peer": "x"]).map { "\($0.method) \($0.template)" })
        #expect(idRoutes == covered)
    }
}
