import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Live stream")
struct StreamTests {
    /// A tenant with a member reachable through the app adapter, on any instance.
    struct Desk {
        let admin: APICaller
        let app: APICaller
        let fixture: TenantFixture
        let memberIDs: [String]

        /// Posts what member `index` (sender `app-user-<index>`) wrote; returns the conversation id.
        func send(_ id: String, _ text: String, member index: Int = 0) async throws -> String {
            let response = try await app.post("/v1/app/messages", #"{"sender":"app-user-\#(index)","provider_message_id":"\#(id)","text":"\#(text)"}"#)
            return try #require(response.json["conversation_id"].string)
        }
    }

    static func desk(_ client: any TestClientProtocol, _ fixtures: Fixtures, tenant: String = "acme", members: Int = 1) async throws -> Desk {
        let fixture = try await fixtures.tenant(tenant)
        let admin = APICaller(client, fixture)
        let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
        var memberIDs: [String] = []
        for index in 0..<members {
            let member = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"M\#(index)","identities":[{"kind":"app","external_id":"app-user-\#(index)"}]}"#)
            memberIDs.append(try #require(member.json["id"].string))
        }
        let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
        return Desk(admin: admin, app: APICaller(client, token: key), fixture: fixture, memberIDs: memberIDs)
    }

    @Test("a socket on instance B receives, in order, the events caused by requests to instance A")
    func twoInstances() async throws {
        try await TwoInstances.run { a, b, fixtures in
            let desk = try await Self.desk(a, fixtures)
            try await withStream(b, token: desk.fixture.token) { inbox, _ in
                let conversation = try await desk.send("m-1", "Grúa en el km 12")
                let opened = try await inbox.next()
                #expect(opened["type"].string == "conversation.opened")
                #expect(opened["conversation_id"].string == conversation)
                let message = try await inbox.next()
                #expect(message["type"].string == "message.created")
                #expect(message["message"]["text"].string == "Grúa en el km 12")
                #expect(message["message"]["direction"].string == "inbound")

                _ = try await desk.admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Vamos"}"#)
                _ = try await desk.admin.post("/v1/conversations/\(conversation)/assign", #"{"assignee_id":"\#(desk.fixture.userID.uuidString)"}"#)
                _ = try await desk.admin.put("/v1/conversations/\(conversation)/tags/urgente", "")
                _ = try await desk.admin.post("/v1/conversations/\(conversation)/close", "")
                let rest = try await inbox.events(4)
                #expect(rest.map { $0["type"].string } == ["message.created", "conversation.assigned", "conversation.tags_changed", "conversation.closed"])
                #expect(rest[0]["message"]["direction"].string == "outbound")
                #expect(rest[1]["data"]["assignee_id"].string == desk.fixture.userID.uuidString.lowercased())
                #expect(rest[2]["data"]["tags"].array.map(\.string) == ["urgente"])
                let ids = ([opened, message] + rest).compactMap { $0["id"].string.flatMap { Int64($0) } }
                #expect(ids.count == 6)
                #expect(ids == ids.sorted() && Set(ids).count == ids.count)
            }
        }
    }

    @Test("reconnecting with ?after= delivers everything missed, in order, once")
    func reconnectAfter() async throws {
        try await TestApp.runLive { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            let (conversation, last) = try await withStream(client, token: desk.fixture.token) { inbox, _ in
                let conversation = try await desk.send("m-1", "Hola")
                let events = try await inbox.events(2)
                return (conversation, try #require(events.last?["id"].string))
            }
            // While disconnected: a reply, a note and the close.
            _ = try await desk.admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"uno"}"#)
            _ = try await desk.admin.post("/v1/conversations/\(conversation)/notes", #"{"text":"dos"}"#)
            _ = try await desk.admin.post("/v1/conversations/\(conversation)/close", "")
            // The browser way: the credential in the query string.
            try await withStream(client, query: "?after=\(last)&access_token=\(desk.fixture.token)", token: nil) { inbox, ready in
                #expect(ready["after"].string == last)
                let missed = try await inbox.events(3)
                #expect(missed.map { $0["type"].string } == ["message.created", "message.created", "conversation.closed"])
                #expect(missed.map { $0["message"]["text"].string } == ["uno", "dos", nil])
                // Live events continue after the catch-up, with no repeat.
                let next = try await desk.send("m-2", "otra vez")
                let live = try await inbox.events(2)
                #expect(live.map { $0["type"].string } == ["conversation.opened", "message.created"])
                #expect(live[0]["conversation_id"].string == next)
                let ids = (missed + live).compactMap { $0["id"].string.flatMap { Int64($0) } }
                #expect(ids == ids.sorted() && Set(ids).count == 5 && ids.allSatisfy { $0 > Int64(last)! })
            }
        }
    }

    @Test("nothing is lost when the listener connection drops: it reconnects and streams catch up")
    func listenerDrop() async throws {
        try await TwoInstances.run { a, b, fixtures in
            let desk = try await Self.desk(a, fixtures)
            try await withStream(b, token: desk.fixture.token) { inbox, _ in
                let killed = try await fixtures.database.client.query("""
                    SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
                    WHERE datname = current_database() AND query ILIKE 'LISTEN%'
                    """, logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
                #expect((killed ?? 0) >= 1)
                let conversation = try await desk.send("m-1", "¿Hay alguien?")
                let events = try await inbox.events(2)
                #expect(events.map { $0["conversation_id"].string } == [conversation, conversation])
                #expect(events.map { $0["type"].string } == ["conversation.opened", "message.created"])
            }
        }
    }

    @Test("more events than a page: a stream reads page after page, every event once, in order")
    func manyPages() async throws {
        try await TestApp.runLive { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            let tenantID = desk.fixture.tenant.id
            let conversation = try #require(UUID(uuidString: try await desk.send("m-1", "Hola")))
            let count = StreamEventReader.pageSize * 2 + 50
            try await fixtures.database.withTenant(tenantID) { connection in
                try await StreamEventWriter.append(
                    (0..<count).map { NewStreamEvent(kind: .conversationTagsChanged, conversationID: conversation, data: ["tags": .strings(["t\($0)"])]) },
                    tenantID: tenantID, connection: connection, logger: fixtures.database.logger)
            }
            try await fixtures.database.publishStreamEvents(of: [tenantID])
            try await withStream(client, query: "?after=0", token: desk.fixture.token) { inbox, _ in
                let events = try await inbox.events(2 + count)
                #expect(events.prefix(2).map { $0["type"].string } == ["conversation.opened", "message.created"])
                #expect(events.dropFirst(2).map { $0["data"]["tags"][0].string } == (0..<count).map { "t\($0)" })
                let ids = events.compactMap { $0["id"].string.flatMap { Int64($0) } }
                #expect(ids.count == 2 + count && ids == ids.sorted() && Set(ids).count == ids.count)
            }
        }
    }

    @Test("events a stopped writer committed but never announced are published by the sweep, after earlier ones")
    func sweepPublishesLeftovers() async throws {
        try await TestApp.runLive(configure: { $0.streamSweepInterval = .milliseconds(200) }) { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            let tenantID = desk.fixture.tenant.id
            try await withStream(client, token: desk.fixture.token) { inbox, _ in
                let conversation = try #require(UUID(uuidString: try await desk.send("m-1", "Hola")))
                let earlier = try await inbox.events(2)
                // Written and committed through the fixtures' database, whose publisher does not
                // run: like a writer that stopped between its commit and the wake-up.
                try await fixtures.database.withTenant(tenantID) { connection in
                    try await StreamEventWriter.append(
                        [NewStreamEvent(kind: .conversationTagsChanged, conversationID: conversation, data: ["tags": .strings(["sin-aviso"])])],
                        tenantID: tenantID, connection: connection, logger: fixtures.database.logger)
                }
                let leftover = try await inbox.next(within: 5)
                #expect(leftover["type"].string == "conversation.tags_changed")
                #expect(leftover["data"]["tags"].array.map(\.string) == ["sin-aviso"])
                let before = try #require(earlier.last?["id"].string.flatMap { Int64($0) })
                #expect(try #require(leftover["id"].string.flatMap { Int64($0) }) > before)
            }
            let pending = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("SELECT count(*)::int FROM stream_pending WHERE tenant_id = \(tenantID)", logger: fixtures.database.logger)
                    .first { try $0.decode(Int.self) }
            }
            #expect(pending == 0)
        }
    }

    @Test("nothing is lost when the publisher's connection drops: it reconnects and publishes")
    func publisherDrop() async throws {
        try await TestApp.runLive { client, fixtures in
            let desk = try await Self.desk(client, fixtures)
            try await withStream(client, token: desk.fixture.token) { inbox, _ in
                let first = try await desk.send("m-1", "uno")
                #expect(try await inbox.events(2).map { $0["conversation_id"].string } == [first, first])
                // The publisher's connection is the one whose last statement published events.
                let killed = try await fixtures.database.client.query("""
                    SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'
                      AND query LIKE 'SELECT stream_publish%'
                    """, logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
                #expect(killed == 1)
                try await Task.sleep(for: .milliseconds(200))
                _ = try await desk.admin.post("/v1/conversations/\(first)/messages", #"{"text":"dos"}"#)
                let reply = try await inbox.next(within: 10)
                #expect(reply["type"].string == "message.created")
                #expect(reply["message"]["text"].string == "dos")
            }
        }
    }
}
