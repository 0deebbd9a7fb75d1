import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Channels: hierarchical fan-out and horizontal relay")
struct ChannelsTests {
    /// Creates an organization and returns its id.
    static func organization(_ admin: APICaller, _ kind: String, _ name: String, parent: String? = nil, tags: [String] = []) async throws -> String {
        let parentField = parent.map { #","parent_id":"\#($0)""# } ?? ""
        let tagList = tags.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try await admin.post("/v1/organizations", #"{"kind":"\#(kind)","name":"\#(name)","tags":[\#(tagList)]\#(parentField)}"#)
        return try #require(response.json["id"].string, "\(response.json)")
    }

    /// Creates a member reachable through the app adapter as `appUser`, and returns its id.
    static func member(_ admin: APICaller, _ organization: String, _ name: String, appUser: String) async throws -> String {
        let response = try await admin.post(
            "/v1/members", #"{"organization_id":"\#(organization)","name":"\#(name)","identities":[{"kind":"app","external_id":"\#(appUser)"}]}"#)
        return try #require(response.json["id"].string, "\(response.json)")
    }

    /// The member's active conversation's messages (texts, newest first) and its id.
    static func conversation(of member: String, _ admin: APICaller) async throws -> (id: String, texts: [String?])? {
        let list = try await admin.get("/v1/conversations?member_id=\(member)&status=open")
        guard let id = list.json["data"][0]["id"].string else { return nil }
        let messages = try await admin.get("/v1/conversations/\(id)/messages")
        return (id, messages.json["data"].array.map { $0["text"].string })
    }

    @Test("a hierarchical post reaches the members of descendants only, filtered by kind and tags; replies come back in each member's own conversation")
    func hierarchicalFanOut() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
            let app = APICaller(client, token: key)
            let hq = try await Self.organization(admin, "company", "HQ")
            let agency = try await Self.organization(admin, "partner", "Agencia Norte", parent: hq)
            let sibling = try await Self.organization(admin, "partner", "Agencia Sur", parent: hq)
            let tow = try await Self.organization(admin, "subcontractor", "Grúas Norte", parent: agency, tags: ["grua"])
            let electric = try await Self.organization(admin, "subcontractor", "Electro Norte", parent: agency, tags: ["electrico"])
            let store = try await Self.organization(admin, "customer", "Tienda 12", parent: tow, tags: ["grua"])
            let hqMember = try await Self.member(admin, hq, "Directora", appUser: "u-hq")
            let agencyMember = try await Self.member(admin, agency, "Agente", appUser: "u-agency")
            let siblingMember = try await Self.member(admin, sibling, "Otra", appUser: "u-sibling")
            let towMember = try await Self.member(admin, tow, "Ana", appUser: "u-tow")
            let electricMember = try await Self.member(admin, electric, "Beto", appUser: "u-electric")
            let storeMember = try await Self.member(admin, store, "Carla", appUser: "u-store")
            // Ana is already talking to the desk: the post joins that conversation instead of opening one.
            let existing = try await app.post("/v1/app/messages", #"{"sender":"u-tow","provider_message_id":"t-1","text":"Hola"}"#)
            let anaConversation = try #require(existing.json["conversation_id"].string)

            let created = try await admin.post("/v1/channels", #"{"kind":"hierarchical","name":"Agencia Norte: todos","organization_id":"\#(agency)"}"#)
            #expect(created.status == .created)
            let channel = try #require(created.json["id"].string)
            #expect(created.json["organization_id"].string == agency)
            let post = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Cambio de turno a las 20h"}"#)
            #expect(post.status == .created)
            #expect(post.json["recipient_count"].int == 3)
            #expect(post.json.has("author_member_id") && post.json["author_member_id"].isNull)
            #expect(post.json.has("sender_label"))

            let ana = try #require(try await Self.conversation(of: towMember, admin))
            #expect(ana.id == anaConversation)
            #expect(ana.texts == ["Cambio de turno a las 20h", "Hola"])
            for member in [electricMember, storeMember] {
                #expect(try await Self.conversation(of: member, admin)?.texts == ["Cambio de turno a las 20h"])
            }
            for member in [hqMember, agencyMember, siblingMember] {
                #expect(try await Self.conversation(of: member, admin) == nil)
            }
            let postID = try #require(post.json["id"].uuid)
            let outbox = try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                try await connection.query("""
                    SELECT count(*)::int FROM outbox
                    WHERE topic = 'message.send' AND tenant_id = \(fixture.tenant.id) AND (payload->>'message_id')::uuid IN (
                        SELECT id FROM messages WHERE tenant_id = \(fixture.tenant.id) AND channel_post_id = \(postID))
                    """, logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
            }
            #expect(outbox == 3)

            // Carla answers: it lands in her own conversation, the one the post opened.
            let carla = try #require(try await Self.conversation(of: storeMember, admin))
            let reply = try await app.post("/v1/app/messages", #"{"sender":"u-store","provider_message_id":"s-1","text":"Recibido"}"#)
            #expect(reply.json["conversation_id"].string == carla.id)
            #expect(try await Self.conversation(of: storeMember, admin)?.texts == ["Recibido", "Cambio de turno a las 20h"])
            #expect(try await Self.conversation(of: electricMember, admin)?.texts == ["Cambio de turno a las 20h"])

            let subcontractors = try await admin.post(
                "/v1/channels", #"{"kind":"hierarchical","name":"Solo proveedores","organization_id":"\#(agency)","kinds":["subcontractor"]}"#)
            let bySubcontractor = try await admin.post("/v1/channels/\(try #require(subcontractors.json["id"].string))/posts", #"{"text":"Solo proveedores"}"#)
            #expect(bySubcontractor.json["recipient_count"].int == 2)
            #expect(try await Self.conversation(of: storeMember, admin)?.texts.first == "Recibido")
            let tagged = try await admin.post(
                "/v1/channels", #"{"kind":"hierarchical","name":"Grúas","organization_id":"\#(agency)","tags":["grua"]}"#)
            let byTag = try await admin.post("/v1/channels/\(try #require(tagged.json["id"].string))/posts", #"{"text":"Solo grúas"}"#)
            #expect(byTag.json["recipient_count"].int == 2)
            #expect(try await Self.conversation(of: towMember, admin)?.texts.first == "Solo grúas")
            #expect(try await Self.conversation(of: storeMember, admin)?.texts.first == "Solo grúas")
            #expect(try await Self.conversation(of: electricMember, admin)?.texts.first == "Solo proveedores")

            let posts = try await admin.get("/v1/channels/\(channel)/posts")
            #expect(posts.json["data"].array.map { $0["text"].string } == ["Cambio de turno a las 20h"])
            #expect(try await admin.get("/v1/channels?kind=hierarchical").json["data"].array.count == 3)
            // The post's text is indexed once, on the post; search still finds every copy.
            let vectorsOnCopies = try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                try await connection.query(
                    "SELECT count(*)::int FROM messages WHERE channel_post_id = \(postID) AND search_vector IS NOT NULL",
                    logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
            }
            #expect(vectorsOnCopies == 0)
            #expect(try await admin.get("/v1/search?q=TURNO").json["data"].array.count == 3)
            #expect(try await admin.delete("/v1/channels/\(channel)").status == .noContent)
            #expect(try await admin.get("/v1/channels/\(channel)").status == .notFound)
            // The deliveries outlive the channel: they are the members' conversations, and stay
            // searchable (their own vector is computed once they lose the post).
            #expect(try await Self.conversation(of: electricMember, admin)?.texts.count == 2)
            #expect(try await admin.get("/v1/search?q=turno").json["data"].array.count == 3)
        }
    }

    @Test("a horizontal post is relayed to every other participant member, prefixed with the sender's name and organization")
    func horizontalRelay() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let sur = try await Self.organization(admin, "subcontractor", "Grúas Sur")
            let norte = try await Self.organization(admin, "subcontractor", "Talleres Norte")
            let lejos = try await Self.organization(admin, "subcontractor", "Lejos")
            #expect(try await admin.post("/v1/organizations/\(sur)/relations", #"{"peer_id":"\#(norte)"}"#).status == .created)
            let ana = try await Self.member(admin, sur, "Ana", appUser: "u-ana")
            let beto = try await Self.member(admin, sur, "Beto", appUser: "u-beto")
            let carla = try await Self.member(admin, norte, "Carla", appUser: "u-carla")
            let outsider = try await Self.member(admin, lejos, "Dora", appUser: "u-dora")

            let notPeers = try await admin.post("/v1/channels", #"{"kind":"horizontal","name":"X","organization_ids":["\#(sur)","\#(lejos)"]}"#)
            #expect(notPeers.status == .unprocessableContent)
            #expect(notPeers.json["error"]["code"].string == "not_peers")
            let created = try await admin.post("/v1/channels", #"{"kind":"horizontal","name":"Sur y Norte","organization_ids":["\#(sur)","\#(norte)"]}"#)
            #expect(created.status == .created)
            let channel = try #require(created.json["id"].string)
            #expect(Set(created.json["organization_ids"].array.compactMap(\.string)) == [sur, norte])

            let byAna = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Llego en 10","member_id":"\#(ana)"}"#)
            #expect(byAna.status == .created)
            #expect(byAna.json["recipient_count"].int == 2)
            #expect(byAna.json["sender_label"].string == "Ana (Grúas Sur)")
            #expect(try await Self.conversation(of: ana, admin) == nil)
            #expect(try await Self.conversation(of: beto, admin)?.texts == ["Ana (Grúas Sur): Llego en 10"])
            #expect(try await Self.conversation(of: carla, admin)?.texts == ["Ana (Grúas Sur): Llego en 10"])
            #expect(try await Self.conversation(of: outsider, admin) == nil)

            let byAgent = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Reunión a las 9"}"#)
            #expect(byAgent.json["recipient_count"].int == 3)
            let label = try #require(byAgent.json["sender_label"].string)
            #expect(try await Self.conversation(of: ana, admin)?.texts == ["\(label): Reunión a las 9"])
            #expect(try await Self.conversation(of: carla, admin)?.texts.first == "\(label): Reunión a las 9")

            let stranger = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Hola","member_id":"\#(outsider)"}"#)
            #expect(stranger.status == .unprocessableContent)
            #expect(stranger.json["error"]["code"].string == "not_a_participant")
            let thread = try await admin.get("/v1/channels/\(channel)/posts")
            #expect(thread.json["data"].array.map { $0["text"].string } == ["Reunión a las 9", "Llego en 10"])
            #expect(thread.json["data"][1]["author_member_id"].string == ana)
            // Required (and nullable) in the OpenAPI document: present as null, never left out.
            #expect(byAgent.json.has("author_member_id") && byAgent.json["author_member_id"].isNull, "\(byAgent.text)")
            for post in thread.json["data"].array {
                for key in ["id", "channel_id", "text", "author_user_id", "author_member_id", "sender_label", "recipient_count", "created_at"] {
                    #expect(post.has(key), "\(key) missing")
                }
            }
        }
    }

    @Test("bad channel input is a 4xx naming the field")
    func badInput() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let org = try await Self.organization(admin, "partner", "Agencia")
            let other = try await Self.organization(admin, "partner", "Otra")
            let cases: [(String, String)] = [
                (#"{"kind":"diagonal","name":"X","organization_id":"\#(org)"}"#, "kind"),
                (#"{"kind":"hierarchical","name":"X"}"#, "organization_id"),
                (#"{"kind":"hierarchical","name":"X","organization_id":"\#(UUID().uuidString)"}"#, "organization_id"),
                (#"{"kind":"hierarchical","name":"X","organization_id":"\#(org)","kinds":["bogus"]}"#, "kinds"),
                (#"{"kind":"hierarchical","name":"","organization_id":"\#(org)"}"#, "name"),
                (#"{"kind":"horizontal","name":"X","organization_ids":["\#(org)"]}"#, "organization_ids"),
                (#"{"kind":"horizontal","name":"X","organization_ids":["\#(org)","\#(other)"],"tags":["a"]}"#, "tags"),
                (#"{"kind":"hierarchical","name":"X","organization_id":"\#(org)","extra":1}"#, "extra"),
            ]
            for (body, field) in cases {
                let response = try await admin.post("/v1/channels", body)
                #expect(response.status.code >= 400 && response.status.code < 500, "\(body)")
                #expect(response.json["error"]["field"].string == field, "\(body) → \(response.json)")
            }
            let channel = try #require(try await admin.post(
                "/v1/channels", #"{"kind":"hierarchical","name":"X","organization_id":"\#(org)"}"#).json["id"].string)
            #expect(try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"   "}"#).status == .unprocessableContent)
            let member = try await Self.member(admin, org, "Ana", appUser: "u-ana")
            let asMember = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Hola","member_id":"\#(member)"}"#)
            #expect(asMember.json["error"]["code"].string == "not_allowed")
            #expect(try await admin.post("/v1/channels/\(UUID().uuidString)/posts", #"{"text":"Hola"}"#).status == .notFound)
            let malformed = try await admin.get("/v1/channels/not-a-uuid").status.code
            #expect((400..<500).contains(malformed))
        }
    }

    @Test("a post to 5,000 members queues 5,000 messages and outbox rows, each in the member's own conversation")
    func fiveThousandMembers() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let agency = try await Self.organization(admin, "partner", "Agencia")
            let providers = try await Self.organization(admin, "subcontractor", "Proveedores", parent: agency)
            let tenantID = fixture.tenant.id
            let providersID = try #require(UUID(uuidString: providers))
            try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("""
                    INSERT INTO members (tenant_id, id, organization_id, name)
                    SELECT \(tenantID), gen_random_uuid(), \(providersID), 'Proveedor ' || g FROM generate_series(1, 5000) g
                    """, logger: fixtures.database.logger)
                // A few already have an open conversation: the post must join it, not open another.
                try await connection.query("""
                    INSERT INTO conversations (tenant_id, id, member_id)
                    SELECT \(tenantID), gen_random_uuid(), id FROM members WHERE tenant_id = \(tenantID) ORDER BY id LIMIT 250
                    """, logger: fixtures.database.logger)
            }
            let channel = try #require(try await admin.post(
                "/v1/channels", #"{"kind":"hierarchical","name":"Todos","organization_id":"\#(agency)"}"#).json["id"].string)
            let post = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Aviso general"}"#)
            #expect(post.status == .created)
            #expect(post.json["recipient_count"].int == 5000)
            let postID = try #require(post.json["id"].uuid)
            let counts = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("""
                    SELECT count(*)::int, count(DISTINCT m.conversation_id)::int, count(DISTINCT c.member_id)::int,
                           (SELECT count(*)::int FROM conversations WHERE tenant_id = \(tenantID)),
                           (SELECT count(*)::int FROM outbox o WHERE o.tenant_id = \(tenantID) AND o.topic = 'message.send'
                              AND (o.payload->>'message_id')::uuid IN (SELECT id FROM messages WHERE tenant_id = \(tenantID) AND channel_post_id = \(postID)))
                    FROM messages m JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
                    WHERE m.tenant_id = \(tenantID) AND m.channel_post_id = \(postID) AND m.direction = 'outbound' AND m.body = 'Aviso general'
                    """, logger: fixtures.database.logger
                ).first { try $0.decode((Int, Int, Int, Int, Int).self) }
            }
            let (messages, conversations, members, allConversations, outbox) = try #require(counts)
            #expect(messages == 5000)
            #expect(conversations == 5000)
            #expect(members == 5000)
            #expect(allConversations == 5000)
            #expect(outbox == 5000)
        }
    }
}
