import FieldlineDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Business events and the event feed")
struct EventsTests {
    /// Every event of the feed after `after`, page after page of `limit`, following `next_cursor`,
    /// until `count` have come: a transaction still open anywhere in the cluster (another test's)
    /// holds the feed back for a moment, as it would any poller; under a loaded machine that
    /// moment has passed 15 s, so the wait is long (it only delays a failing test).
    static func all(_ caller: APICaller, count: Int, after start: String = "", types: String? = nil, limit: Int = 2) async throws -> [JSON] {
        var events: [JSON] = []
        var after = start
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let filter = types.map { "&types=\($0)" } ?? ""
            let page = try await caller.get("/v1/events?limit=\(limit)&after=\(after)\(filter)")
            #expect(page.status == .ok, "\(page.text)")
            events += page.json["data"].array
            after = try #require(page.json["next_cursor"].string)
            if events.count >= count, page.json["has_more"].bool != true { return events }
            if page.json["has_more"].bool != true { try await Task.sleep(for: .milliseconds(50)) }
        }
        Issue.record("the feed gave \(events.count) events, not \(count)")
        return events
    }

    @Test("a member's message, a job's life and a closing are events in commit order, bodies as the API answers, paged without gaps or repeats, 304 when nothing is new")
    func lifeCycle() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let (fixture, admin) = (desk.fixture, desk.admin)
            let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["events:read"]}"#).json["key"].string)
            let erp = APICaller(client, token: erpKey)
            #expect(try await desk.send("m-1", "Hola").status == .created)
            let network = try await JobNetwork.make(admin)
            let job = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-9","title":"Tow"}"#).json["id"].string)
            for status in ["assigned", "in_progress", "completed"] {
                let body = status == "assigned" ? #"{"status":"assigned","organization_id":"\#(network.organization)"}"# : #"{"status":"\#(status)"}"#
                #expect(try await admin.patch("/v1/jobs/\(job)", body).status == .ok)
            }
            #expect(try await admin.patch("/v1/jobs/\(job)", #"{"title":"Tow a van"}"#).status == .conflict)
            let conversation = try await admin.get("/v1/conversations").json["data"][0]
            let conversationID = try #require(conversation["id"].string)
            #expect(try await admin.post("/v1/conversations/\(conversationID)/close", "{}").status == .ok)

            let events = try await Self.all(erp, count: 7)
            #expect(events.map { $0["type"].string } == [
                "conversation.opened", "message.received", "job.created", "job.assigned", "job.started", "job.completed",
                "conversation.closed",
            ])
            #expect(Set(events.map { $0["id"].string }).count == events.count)
            #expect(Set(events.map { $0["cursor"].string }).count == events.count)
            // Bodies are the resources as the API answers them (at the time of the event).
            let message = try await admin.get("/v1/conversations/\(conversationID)/messages").json["data"][0]
            #expect(events[1]["data"] == message)
            #expect(events[0]["data"]["id"].string == conversationID)
            #expect(events[0]["data"]["status"].string == "open")
            #expect(events[0]["data"]["opened_at"] == conversation["opened_at"])
            #expect(events[0]["data"]["member_id"] == conversation["member_id"])
            #expect(events[6]["data"] == (try await admin.get("/v1/conversations/\(conversationID)").json))
            #expect(events[5]["data"] == (try await admin.get("/v1/jobs/\(job)").json))
            #expect(events[3]["data"]["status"].string == "assigned")
            #expect(events[3]["data"]["organization_id"].string == network.organization)

            // A filter, by name or by family, keeps the order.
            #expect(try await Self.all(erp, count: 3, types: "job.completed,conversation.*", limit: 1).map { $0["type"].string } == [
                "conversation.opened", "job.completed", "conversation.closed",
            ])
            // Caught up: the same question answers 304 with its ETag, and a poll interval.
            let last = try #require(events.last?["cursor"].string)
            let caughtUp = try await erp.get("/v1/events?after=\(last)")
            #expect(caughtUp.json["data"].array.isEmpty)
            #expect(caughtUp.json["next_cursor"].string == last)
            #expect(caughtUp.json["poll_interval_seconds"].int == 5)
            #expect(caughtUp.headers[.pollInterval] == "5")
            let tag = try #require(caughtUp.headers[.eTag])
            let unchanged = try await erp.send(.get, "/v1/events?after=\(last)", headers: [.ifNoneMatch: tag])
            #expect(unchanged.status == .notModified)
            #expect(unchanged.body.readableBytes == 0)
            #expect(unchanged.headers[.pollInterval] == "5")
            _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-10","title":"Jump start"}"#)
            _ = try await Self.all(erp, count: 1, after: last)
            let changed = try await erp.send(.get, "/v1/events?after=\(last)", headers: [.ifNoneMatch: tag])
            #expect(changed.status == .ok)
            #expect(changed.json["data"].array.map { $0["type"].string } == ["job.created"])
            #expect(changed.headers[.eTag] != tag)

            #expect(try await erp.get("/v1/events?after=nonsense").json["error"]["field"].string == "after")
            #expect(try await erp.get("/v1/events?types=job.exploded").json["error"]["field"].string == "types")
            #expect(try await erp.get("/v1/events?limit=0").status == .badRequest)
            let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
            #expect(try await agent.get("/v1/events").status == .forbidden)
            // Another tenant sees none of it.
            let other = APICaller(client, try await fixtures.tenant("globex"))
            #expect(try await other.get("/v1/events").json["data"].array.isEmpty)
        }
    }

    @Test("an event whose transaction commits late is not skipped: later commits wait behind it in the feed")
    func lateCommit() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            try await Self.lateCommitScenario(APICaller(client, fixture), fixtures, fixture.tenant.id)
        }
    }

    /// A slow writer's transaction records an event and stays open while a quick writer commits
    /// a job through the API: the feed holds the later commit back until the slow one commits,
    /// then gives both in commit order. `whileOpen` gets the open transaction's connection and
    /// its event's id (`CitusTests.eventFeed` reads the event's txid there).
    static func lateCommitScenario(
        _ admin: APICaller, _ fixtures: Fixtures, _ tenantID: UUID,
        whileOpen: (PostgresConnection, UUID) async throws -> Void = { _, _ in }
    ) async throws {
        let logger = fixtures.database.logger
        _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"First"}"#)
        let first = try await Self.all(admin, count: 1)
        #expect(first.map { $0["type"].string } == ["job.created"])
        let after = try #require(first.last?["cursor"].string)
        try await fixtures.database.client.withConnection { connection in
            // A slow writer: its transaction records an event and stays open.
            try await connection.query("BEGIN", logger: logger)
            try await connection.setLocal("app.tenant_id", to: tenantID.uuidString, logger: logger)
            let slow = UUIDv7.make()
            try await connection.query("""
                INSERT INTO events (tenant_id, id, type, resource_type, resource_id, body)
                VALUES (\(tenantID), \(slow), 'job.cancelled', 'job', \(UUID()), '{"slow":true}')
                """, logger: logger)
            try await whileOpen(connection, slow)
            // A quick writer commits after it, through the API.
            _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-2","title":"Second"}"#)
            let held = try await admin.get("/v1/events?after=\(after)")
            #expect(held.status == .ok, "\(held.text)")
            #expect(held.json["data"].array.isEmpty, "a later commit must wait behind the open transaction: \(held.text)")
            try await connection.query("COMMIT", logger: logger)
        }
        let next = try await Self.all(admin, count: 2, after: after)
        #expect(next.map { $0["type"].string } == ["job.cancelled", "job.created"])
        #expect(next.first?["data"]["slow"].bool == true)
    }
}
