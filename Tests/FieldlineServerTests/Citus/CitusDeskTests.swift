import FieldlineDomain
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

extension CitusTests {
    /// A stored stream's event kinds of one tenant, in id order.
    static func streamKinds(_ tenantID: UUID, _ fixtures: Fixtures) async throws -> [String] {
        try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query(
                "SELECT kind FROM stream_events WHERE tenant_id = \(tenantID) ORDER BY id", logger: fixtures.database.logger
            ).collect { try $0.decode(String.self) }
        }
    }

    /// How many of a tenant's stream events wait for the publisher.
    static func pendingCount(_ tenantID: UUID, _ fixtures: Fixtures) async throws -> Int {
        try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query(
                "SELECT count(*)::int FROM stream_pending WHERE tenant_id = \(tenantID)", logger: fixtures.database.logger
            ).first { try $0.decode(Int.self) } ?? -1
        }
    }

    @Test("the desk on the cluster: signed webhook in, queue, reply through the provider, stream, search, close, timeline")
    func desk() async throws {
        try await FakeProvider.run { baseURL, log in
            try await Self.run(configure: OutboundDeliveryTests.configure(baseURL)) { client, fixtures in
                let fixture = try await Self.tenant(fixtures)
                let tenantID = fixture.tenant.id
                let admin = APICaller(client, fixture)
                let created = try await admin.post("/v1/adapters", #"{"provider":"whatsapp","name":"Line","credentials":{"access_token":"wa-token","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"},"config":{"phone_number_id":"106540352242922"}}"#)
                #expect(created.status == .created, "\(created.body)")
                let hook = "/v1/hooks/whatsapp/\(try #require(created.json["id"].string).lowercased())"
                // An ERP's endpoint, so the events' webhook fan-out (code, not a trigger, on Citus) runs.
                try await WebhookDeliveryTests.developmentMode(fixtures, tenantID)
                _ = try await WebhookDeliveryTests.endpoint(admin, "http://127.0.0.1:9/erp", #"["message.*","conversation.*"]"#)

                // A stranger writes: a member, a conversation and the message, in the ingest statements.
                let first = WebhookTests.whatsAppText(id: "wamid.CITUS-1", text: "Grúa averiada en km 12")
                let inbound = try await WebhookTests.postSigned(client, hook, first)
                #expect(inbound.status == .ok, "\(inbound.body)")
                // The provider's retry of the same webhook stores nothing new.
                #expect(try await WebhookTests.postSigned(client, hook, first).status == .ok)
                let queue = try await admin.get("/v1/conversations?queue=unassigned")
                #expect(queue.status == .ok, "\(queue.body)")
                let conversation = try #require(queue.json["data"].array.first?["id"].string, "\(queue.body)")
                #expect(queue.json["data"].array.count == 1)
                let memberID = try #require(queue.json["data"].array.first?["member_id"].string, "\(queue.body)")

                // The agent's reply goes out through the outbox to the fake provider.
                let reply = try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Vamos para allá"}"#)
                #expect(reply.status == .created, "\(reply.body)")
                #expect(try await eventually { await log.requests.count == 1 })
                #expect(await log.requests.first?.body.contains("Vamos para allá") == true)
                let note = try await admin.post("/v1/conversations/\(conversation)/notes", #"{"text":"Cliente VIP"}"#)
                #expect(note.status == .created, "\(note.body)")
                // A second message of the same member lands in the same conversation.
                let second = try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.CITUS-2", text: "Gracias"))
                #expect(second.status == .ok, "\(second.body)")
                let messages = try await admin.get("/v1/conversations/\(conversation)/messages")
                #expect(messages.json["data"].array.map { $0["text"].string } == ["Gracias", "Cliente VIP", "Vamos para allá", "Grúa averiada en km 12"], "\(messages.body)")

                let search = try await admin.get("/v1/search?q=grúa")
                #expect(search.status == .ok, "\(search.body)")
                #expect(search.json["data"].array.map { $0["message"]["text"].string } == ["Grúa averiada en km 12"], "\(search.body)")

                // The publisher numbered the tenant's events in the order they were written.
                #expect(try await eventually { try await Self.pendingCount(tenantID, fixtures) == 0 })
                let kinds = try await Self.streamKinds(tenantID, fixtures)
                #expect(kinds.filter { $0 == "message.created" }.count == 4, "\(kinds)")

                let closed = try await admin.post("/v1/conversations/\(conversation)/close", "")
                #expect(closed.json["status"].string == "closed", "\(closed.body)")
                let timeline = try await admin.get("/v1/members/\(memberID)/timeline")
                #expect(timeline.status == .ok, "\(timeline.body)")
                #expect(timeline.json["data"].array.map { $0["conversation"]["id"].string } == [conversation], "\(timeline.body)")
                // The business events of it all, for the ERP's feed.
                let events = try await admin.get("/v1/events")
                #expect(events.status == .ok, "\(events.body)")
                let types = events.json["data"].array.map { $0["type"].string ?? "" }
                #expect(types.filter { $0 == "message.received" }.count == 2, "\(types)")
                #expect(types.contains("conversation.opened"), "\(types)")
                let deliveries = try await fixtures.database.withTenant(tenantID) { connection in
                    try await connection.query("""
                        SELECT e.type FROM webhook_deliveries d JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
                        WHERE d.tenant_id = \(tenantID)
                        """, logger: fixtures.database.logger).collect { try $0.decode(String.self) }
                }
                #expect(deliveries.filter { $0 == "message.received" }.count == 2, "\(deliveries)")
                #expect(deliveries.contains("conversation.opened"), "\(deliveries)")
            }
        }
    }
}
