import FieldlineDomain
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing
@testable import FieldlineServer

extension CitusTests {
    /// How many rows of `table` the tenant has, read under its row-level security.
    static func count(_ table: String, _ tenantID: UUID, _ fixtures: Fixtures) async throws -> Int {
        try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE tenant_id = '\(tenantID)'"), logger: fixtures.database.logger)
                .first { try $0.decode(Int.self) } ?? -1
        }
    }

    @Test("exports on the cluster: jobs as CSV and JSON lines, proofs as CSV, each the tenant's own")
    func exports() async throws {
        try await Self.run { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            var ids: [String] = []
            for (index, title) in ["Tow, then \"park\"", "Jump start"].enumerated() {
                let body = #"{"order_number":"EX-\#(index)","title":"\#(title.replacingOccurrences(of: "\"", with: "\\\""))","latitude":40.4168123,"longitude":-3.7038456}"#
                ids.append(try #require(try await admin.post("/v1/jobs", body).json["id"].string))
            }
            #expect(try await admin.patch("/v1/jobs/\(ids[1])", #"{"status":"assigned","organization_id":"\#(network.organization)","crew_id":"\#(network.crew)"}"#).status == .ok)
            let proof = try await admin.post("/v1/jobs/\(ids[1])/proofs", #"{"latitude":40.42,"longitude":-3.70,"note":"done"}"#)
            #expect(proof.status == .created, "\(proof.text)")
            let today = RFC3339.format(Date()).prefix(10)
            let period = "from=\(today)&to=\(today)"

            let csv = try await admin.get("/v1/exports/jobs?\(period)")
            #expect(csv.status == .ok, "\(csv.text)")
            let rows = ExportsTests.rows(csv.text)
            #expect(rows.map { $0["id"] } == ids, "id order")
            #expect(rows[0]["title"] == "Tow, then \"park\"")
            #expect(rows[1]["crew_code"] == "GN-7")
            #expect(ExportsTests.rows(try await admin.get("/v1/exports/jobs?\(period)&crew_code=gn-7").text).map { $0["id"] } == [ids[1]])
            let lines = try await admin.get("/v1/exports/jobs?\(period)&format=jsonl")
            let objects = lines.text.split(separator: "\n").map { try? JSONDecoder().decode(JSON.self, from: Data($0.utf8)) }
            #expect(objects.count == 2)
            for (object, id) in zip(objects, ids) {
                #expect(object == (try await admin.get("/v1/jobs/\(id)").json), "a line is the job as the API answers it")
            }
            let proofs = ExportsTests.rows(try await admin.get("/v1/exports/proofs?\(period)").text)
            #expect(proofs.map { $0["id"] } == [proof.json["id"].string], "\(proofs)")
            #expect(proofs.first?["order_number"] == "EX-1")
            // An agent's export goes through the job visibility subqueries.
            let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
            #expect(ExportsTests.rows(try await agent.get("/v1/exports/jobs?\(period)").text).count == 2)
            let other = APICaller(client, try await Self.tenant(fixtures))
            #expect(ExportsTests.rows(try await other.get("/v1/exports/jobs?\(period)").text).isEmpty)
        }
    }

    @Test("channel posts on the cluster: a hierarchical post fans out to the descendants' members, each in their own conversation, queued for sending")
    func channelPosts() async throws {
        try await Self.run { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let admin = APICaller(client, fixture)
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
            let app = APICaller(client, token: key)
            let hq = try await ChannelsTests.organization(admin, "company", "HQ")
            let agency = try await ChannelsTests.organization(admin, "partner", "Agencia Norte", parent: hq)
            let tow = try await ChannelsTests.organization(admin, "subcontractor", "Grúas Norte", parent: agency, tags: ["grua"])
            let electric = try await ChannelsTests.organization(admin, "subcontractor", "Electro Norte", parent: agency, tags: ["electrico"])
            let agencyMember = try await ChannelsTests.member(admin, agency, "Agente", appUser: "u-agency")
            let towMember = try await ChannelsTests.member(admin, tow, "Ana", appUser: "u-tow")
            let electricMember = try await ChannelsTests.member(admin, electric, "Beto", appUser: "u-electric")
            // Ana already talks to the desk: the post joins that conversation.
            let existing = try await app.post("/v1/app/messages", #"{"sender":"u-tow","provider_message_id":"t-1","text":"Hola"}"#)
            let anaConversation = try #require(existing.json["conversation_id"].string, "\(existing.text)")

            let channel = try #require(try await admin.post("/v1/channels", #"{"kind":"hierarchical","name":"Norte","organization_id":"\#(agency)"}"#).json["id"].string)
            let post = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Cambio de turno"}"#)
            #expect(post.status == .created, "\(post.text)")
            #expect(post.json["recipient_count"].int == 2)
            let ana = try #require(try await ChannelsTests.conversation(of: towMember, admin))
            #expect(ana.id == anaConversation)
            #expect(ana.texts == ["Cambio de turno", "Hola"])
            #expect(try await ChannelsTests.conversation(of: electricMember, admin)?.texts == ["Cambio de turno"])
            #expect(try await ChannelsTests.conversation(of: agencyMember, admin) == nil)
            let postID = try #require(post.json["id"].uuid)
            let tenantID = fixture.tenant.id
            let queued = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("""
                    SELECT (payload->>'message_id')::uuid FROM outbox WHERE topic = 'message.send' AND tenant_id = \(tenantID)
                    """, logger: fixtures.database.logger).collect { try $0.decode(UUID.self) }
            }
            let copies = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query(
                    "SELECT id FROM messages WHERE tenant_id = \(tenantID) AND channel_post_id = \(postID)", logger: fixtures.database.logger
                ).collect { try $0.decode(UUID.self) }
            }
            #expect(copies.count == 2 && Set(copies).isSubset(of: Set(queued)), "each copy is queued for sending")
            // The opened conversation is a business event and a stream event, like any other.
            let events = try await EventsTests.all(admin, count: 1, types: "conversation.opened", limit: 10)
            #expect(events.count == 2, "\(events)")
            #expect(try await admin.get("/v1/channels/\(channel)/posts").json["data"].array.map { $0["text"].string } == ["Cambio de turno"])
            // Deleting the channel keeps the copies (they are the members' conversations).
            #expect(try await admin.delete("/v1/channels/\(channel)").status == .noContent)
            #expect(try await ChannelsTests.conversation(of: electricMember, admin)?.texts == ["Cambio de turno"])
        }
    }

    @Test("channel posts on the cluster: a member's #handle message through ingest is relayed to the other participants, prefixed")
    func channelRelay() async throws {
        try await Self.run { client, fixtures in
            let admin = APICaller(client, try await Self.tenant(fixtures))
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
            let app = APICaller(client, token: key)
            let (sur, norte, _, channel) = try await MemberChannelMessagesTests.peers(admin, handle: "pares")
            _ = try await ChannelsTests.member(admin, sur, "Ana", appUser: "u-ana")
            let beto = try await ChannelsTests.member(admin, sur, "Beto", appUser: "u-beto")
            let carla = try await ChannelsTests.member(admin, norte, "Carla", appUser: "u-carla")
            let posted = try await app.post("/v1/app/messages", ##"{"sender":"u-ana","provider_message_id":"a-1","text":"#pares Llego en 10"}"##)
            #expect(posted.status == .created, "\(posted.text)")
            #expect(try await MemberChannelMessagesTests.thread(channel, admin).map { $0["text"].string } == ["Llego en 10"])
            for member in [beto, carla] {
                #expect(try await MemberChannelMessagesTests.messages(of: member, admin).map { $0["text"].string } == ["Ana (Grúas Sur): Llego en 10"])
            }
            // An agent's post reaches all three.
            let byAgent = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Reunión a las 9"}"#)
            #expect(byAgent.json["recipient_count"].int == 3, "\(byAgent.text)")
        }
    }

    @Test("retention on the cluster: old stream events, business events, outbox rows and idempotency keys are pruned, the newer kept")
    func retention() async throws {
        try await Self.run { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let tenantID = fixture.tenant.id
            let admin = APICaller(client, fixture)
            let logger = fixtures.database.logger
            // Stream events 10, 8 and 3 days old (kept 7), in id order (pruning walks ids, oldest first).
            try await fixtures.database.withTenant(tenantID) { connection in
                for days in [10, 8, 3] {
                    try await connection.query("""
                        INSERT INTO stream_events (tenant_id, conversation_id, kind, created_at)
                        VALUES (\(tenantID), \(UUID()), 'message.created', now() - \(days) * interval '1 day')
                        """, logger: logger)
                }
            }
            for index in 1...3 {
                #expect(try await admin.post("/v1/jobs", #"{"order_number":"RT-\#(index)","title":"Tow"}"#, headers: [.idempotencyKey: "rt-\(index)"]).status == .created)
            }
            let events = try await EventsTests.all(admin, count: 3, limit: 10)
            #expect(events.count == 3)
            let old = try #require(events.first?["id"].string.flatMap(UUID.init(uuidString:)))
            try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("UPDATE events SET occurred_at = now() - interval '400 days' WHERE tenant_id = \(tenantID) AND id = \(old)", logger: logger)
                try await connection.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE tenant_id = \(tenantID) AND key = 'rt-1'", logger: logger)
            }
            try await fixtures.database.client.query("""
                INSERT INTO outbox (tenant_id, topic, payload, done_at) VALUES (\(tenantID), 'test', '{"name":"old"}', now() - interval '8 days'),
                    (\(tenantID), 'test', '{"name":"recent"}', now() - interval '1 day')
                """, logger: logger)

            let pruned = try await RetentionTests.worker(fixtures).prune(sweepingMedia: false)
            #expect(pruned.streamEvents >= 2 && pruned.events >= 1 && pruned.outbox >= 1 && pruned.idempotencyKeys >= 1, "\(pruned)")
            // A second pass, the ON CONFLICT updates of the retention marks included, finds nothing of this tenant.
            _ = try await RetentionTests.worker(fixtures).prune(sweepingMedia: false)
            let stream = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query(
                    "SELECT extract(day FROM now() - created_at)::int FROM stream_events WHERE tenant_id = \(tenantID) AND created_at < now() - interval '1 day' ORDER BY id",
                    logger: logger
                ).collect { try $0.decode(Int.self) }
            }
            #expect(stream == [3], "only the stream event younger than its age is left: \(stream)")
            let marks = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("""
                    SELECT (SELECT count(*)::int FROM stream_retention WHERE tenant_id = \(tenantID)),
                           (SELECT count(*)::int FROM event_retention WHERE tenant_id = \(tenantID))
                    """, logger: logger).first { try $0.decode((Int, Int).self) }
            }
            #expect(marks.map { [$0.0, $0.1] } == [1, 1])
            let rest = try await EventsTests.all(admin, count: 2, limit: 10)
            #expect(rest.map { $0["id"].string } == events.dropFirst().map { $0["id"].string })
            // A cursor before what was pruned is told so.
            #expect(try await admin.get("/v1/events?after=1-0").json["error"]["code"].string == "cursor_too_old")
            let keys = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("SELECT key FROM idempotency_keys WHERE tenant_id = \(tenantID) ORDER BY key", logger: logger)
                    .collect { try $0.decode(String.self) }
            }
            #expect(keys == ["rt-2", "rt-3"])
            let outbox = try await fixtures.database.client.query(
                "SELECT payload->>'name' FROM outbox WHERE tenant_id = \(tenantID) AND topic = 'test'", logger: logger
            ).collect { try $0.decode(String.self) }
            #expect(outbox == ["recent"])
        }
    }

    @Test("deleting a tenant on the cluster removes every row it owns, in every table, and leaves the other tenants alone")
    func tenantDeletion() async throws {
        try await Self.run { client, fixtures in
            let doomed = try await Self.tenant(fixtures)
            let kept = try await Self.tenant(fixtures)
            for fixture in [doomed, kept] {
                let admin = APICaller(client, fixture)
                let network = try await JobNetwork.make(admin)
                let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
                let member = try await ChannelsTests.member(admin, network.organization, "Ana", appUser: "u-ana")
                let inbound = try await APICaller(client, token: key).post("/v1/app/messages", #"{"sender":"u-ana","provider_message_id":"d-1","text":"Hola"}"#)
                let conversation = try #require(inbound.json["conversation_id"].string, "\(inbound.text)")
                #expect(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Vamos"}"#).status == .created)
                let job = try #require(try await admin.post("/v1/jobs", #"{"order_number":"DEL-1","title":"Tow","conversation_id":"\#(conversation)"}"#).json["id"].string)
                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"assigned","organization_id":"\#(network.organization)","crew_id":"\#(network.crew)"}"#).status == .ok)
                #expect(try await admin.post("/v1/jobs/\(job)/proofs", #"{"latitude":40.42,"longitude":-3.70}"#).status == .created)
                let channel = try #require(try await admin.post("/v1/channels", #"{"kind":"hierarchical","name":"All","organization_id":"\#(network.organization)"}"#).json["id"].string)
                _ = try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Aviso"}"#)
                _ = member
            }
            let tables = ["users", "api_keys", "organizations", "members", "member_identities", "conversations", "messages", "events", "jobs", "proofs", "job_history"]
            for table in tables {
                #expect(try await Self.count(table, doomed.tenant.id, fixtures) > 0, "\(table) of the doomed tenant")
            }
            try await fixtures.provisioning.deleteTenant(doomed.tenant.id)
            #expect(try await fixtures.provisioning.tenant(slug: doomed.tenant.slug) == nil)
            // Every table with a tenant_id, distributed, reference or local, holds nothing of it.
            let left = try await fixtures.database.withTenant(doomed.tenant.id) { connection in
                try await connection.query("""
                    SELECT c.table_name::text FROM information_schema.columns c
                    JOIN information_schema.tables t USING (table_schema, table_name)
                    WHERE c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' AND c.table_schema = current_schema()
                    ORDER BY 1
                    """, logger: fixtures.database.logger).collect { try $0.decode(String.self) }
            }
            #expect(left.count > 30, "\(left)")
            var remaining: [String] = []
            for table in left {
                let rows = try await Self.count(table, doomed.tenant.id, fixtures)
                if rows > 0 { remaining.append("\(table): \(rows)") }
            }
            #expect(remaining.isEmpty, "\(remaining)")
            let keptAdmin = APICaller(client, kept)
            #expect(try await keptAdmin.get("/v1/jobs").json["data"].array.count == 1)
            #expect(try await keptAdmin.get("/v1/conversations").json["data"].array.count == 1)
            for table in tables {
                #expect(try await Self.count(table, kept.tenant.id, fixtures) > 0, "\(table) of the kept tenant")
            }
        }
    }
}
