import FieldlineDomain
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

/// Rows written before the typed outbox (a topic and hand-built JSON) are still in deployed
/// databases after an upgrade: the application's registry must run them as before.
@Suite("Outbox rows written by an older release")
struct OutboxUpgradeTests {
    /// The first row of `query` (two text columns), read under `tenantID`'s row-level security.
    static func texts(_ query: PostgresQuery, tenantID: UUID, _ database: Database) async throws -> (String, String?)? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(query, logger: database.logger).first { try $0.decode((String, String?).self) }
        }
    }

    @Test("old message.send, conversation.wake, routing.drain and media.fetch rows are performed")
    func oldRowsRun() async throws {
        try await TestApp.run(configure: { $0.outboxPollInterval = .milliseconds(20); $0.outboxMaxAttempts = 3 }) { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let tenantID = desk.fixture.tenant.id
            let database = fixtures.database
            let inbound = try await desk.send("m-1", "Hola").json
            let conversation = try #require(inbound["conversation_id"].string).lowercased()
            let inboundID = try #require(inbound["message_id"].string).lowercased()

            // message.send: an outbound message to a member who writes through the app adapter is sent at once.
            let reply = UUIDv7.make()
            try await database.withTenant(tenantID) { connection in
                try await connection.query("""
                    INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, delivery_status)
                    VALUES (\(tenantID), \(reply), \(UUID(uuidString: conversation)), 'outbound', 'text', 'De camino', 'queued')
                    """, logger: database.logger)
            }
            try await OutboxTestSupport.insertRaw(
                topic: "message.send", payload: #"{"message_id": "\#(reply.uuidString.lowercased())", "conversation_id": "\#(conversation)"}"#,
                tenantID: tenantID, database)

            // conversation.wake: a snooze that has run out.
            let later = RFC3339.format(Date().addingTimeInterval(3600))
            #expect(try await desk.admin.post("/v1/conversations/\(conversation)/snooze", #"{"until":"\#(later)"}"#).status == .ok)
            try await database.withTenant(tenantID) { connection in
                try await connection.query("UPDATE conversations SET snoozed_until = now() WHERE tenant_id = \(tenantID)", logger: database.logger)
            }
            try await OutboxTestSupport.insertRaw(
                topic: "conversation.wake", payload: #"{"conversation_id": "\#(conversation)"}"#, tenantID: tenantID, database)

            // routing.drain: a team's queue.
            let team = try #require(try await desk.admin.post("/v1/teams", #"{"name":"Dispatch"}"#).json["id"].string).lowercased()
            try await OutboxTestSupport.insertRaw(topic: "routing.drain", payload: #"{"team_id": "\#(team)"}"#, tenantID: tenantID, database)

            // media.fetch: its adapter is gone, so it dies, and the media row says why.
            let media = UUIDv7.make()
            try await database.withTenant(tenantID) { connection in
                try await connection.query("""
                    INSERT INTO media (tenant_id, id, message_id, provider, provider_media_id)
                    VALUES (\(tenantID), \(media), \(UUID(uuidString: inboundID)), 'whatsapp', 'wa-media-1')
                    """, logger: database.logger)
            }
            try await OutboxTestSupport.insertRaw(
                topic: "media.fetch", payload: #"{"media_id": "\#(media.uuidString.lowercased())", "message_id": "\#(inboundID)"}"#,
                tenantID: tenantID, database)

            // Every row but the snooze's own wake-up (due in an hour) done or dead: a row being
            // worked on is leased (due a minute ahead), so "nothing due now" would not wait for it.
            #expect(try await eventually {
                try await database.client.query(
                    "SELECT count(*)::int FROM outbox WHERE done_at IS NULL AND dead_at IS NULL AND available_at <= now() + interval '30 minutes'",
                    logger: database.logger
                ).first { try $0.decode(Int.self) } == 0
            })
            let sent = try await Self.texts(
                "SELECT delivery_status, provider FROM messages WHERE tenant_id = \(tenantID) AND id = \(reply)", tenantID: tenantID, database)
            #expect(sent?.0 == "sent")
            #expect(sent?.1 == "app")
            #expect(try await desk.admin.get("/v1/conversations/\(conversation)").json["status"].string == "open")
            let fetched = try await Self.texts(
                "SELECT status, error FROM media WHERE tenant_id = \(tenantID) AND id = \(media)", tenantID: tenantID, database)
            #expect(fetched?.0 == "failed")
            #expect(fetched?.1 == "the adapter was disabled or removed")
            // The old rows by what they carry (the snooze's own wake-up, due in an hour, left out):
            // done, except the media fetch, dead.
            let rows = try await OutboxTestSupport.rows(database)
            func states(_ topic: String, _ id: String) -> [[Bool]] {
                rows.filter { $0.topic == topic && $0.payload.contains(id) && $0.dueIn < 600 }.map { [$0.done, $0.dead] }
            }
            #expect(states("message.send", reply.uuidString.lowercased()) == [[true, false]])
            #expect(states("conversation.wake", conversation) == [[true, false]])
            #expect(states("routing.drain", team) == [[true, false]])
            #expect(states("media.fetch", media.uuidString.lowercased()) == [[false, true]])
        }
    }

    @Test("in the application, an unknown topic and an unreadable payload are dead-lettered with a clear error")
    func badRowsDie() async throws {
        try await TestApp.run(configure: { $0.outboxPollInterval = .milliseconds(20) }) { client, fixtures in
            let tenantID = try await fixtures.tenant().tenant.id
            let database = fixtures.database
            try await OutboxTestSupport.insertRaw(topic: "invoice.export", payload: #"{"id": 1}"#, tenantID: tenantID, database)
            try await OutboxTestSupport.insertRaw(topic: "message.send", payload: #"{"message_id": "12345"}"#, tenantID: tenantID, database)
            #expect(try await eventually { try await OutboxTestSupport.rows(database).allSatisfy(\.dead) })
            let errors = try await OutboxTestSupport.rows(database).map(\.lastError)
            #expect(errors[0] == "no handler for outbox topic invoice.export")
            #expect(errors[1]?.hasPrefix(#"the message.send payload {"message_id": "12345"} is not readable: "#) == true)
            #expect(errors[1]?.contains("message_id") == true)
        }
    }
}
