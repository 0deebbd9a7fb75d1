import Foundation
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
@testable import FieldlineServer

/// The event log keeps at least 30 days; older events are pruned in feed order, never one a
/// webhook still has to deliver, and a feed cursor before what was pruned is told so (410).
@Suite("Business events: retention and expired cursors")
struct EventRetentionTests {
    /// Runs `sql` under the tenant (row-level security applies).
    static func exec(_ fixtures: Fixtures, _ tenantID: UUID, _ sql: PostgresQuery) async throws {
        try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query(sql, logger: fixtures.database.logger)
        }
    }

    @Test("events older than 30 days go oldest first, up to one with a pending delivery; a cursor before them answers 410 cursor_too_old; a filtered poller's cursor moves past what it skipped")
    func pruneAndExpire() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let tenantID = fixture.tenant.id
            for index in 1...5 {
                #expect(try await admin.post("/v1/jobs", #"{"order_number":"PO-R\#(index)","title":"Tow"}"#).status == .created)
            }
            let events = try await EventsTests.all(admin, count: 5, limit: 10)
            let ids = events.compactMap { $0["id"].uuid }
            let cursors = events.compactMap { $0["cursor"].string }
            #expect(ids.count == 5 && cursors.count == 5)

            // The first four are 31 days old. The first was delivered to an endpoint (with an attempt);
            // the third still waits for its delivery.
            try await Self.exec(fixtures, tenantID, "UPDATE events SET occurred_at = now() - interval '31 days' WHERE tenant_id = \(tenantID) AND id = ANY(\(Array(ids.prefix(4)))::uuid[])")
            let endpoint = UUID()
            try await Self.exec(fixtures, tenantID, "INSERT INTO webhook_endpoints (tenant_id, id, url, event_types) VALUES (\(tenantID), \(endpoint), 'https://erp.example.com/hook', '{job.created}')")
            let delivered = UUID()
            let waiting = UUID()
            for (delivery, event, status) in [(delivered, ids[0], "succeeded"), (waiting, ids[2], "pending")] {
                try await Self.exec(fixtures, tenantID, """
                    INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, resource_id, event_txid, event_seq, status)
                    SELECT tenant_id, \(delivery), \(endpoint), id, resource_id, txid, seq, \(status) FROM events WHERE tenant_id = \(tenantID) AND id = \(event)
                    """)
            }
            try await Self.exec(fixtures, tenantID, "INSERT INTO webhook_attempts (tenant_id, id, delivery_id, endpoint_id, status_code, latency_ms) VALUES (\(tenantID), \(UUID()), \(delivered), \(endpoint), 200, 12)")

            var settings = RetentionSettings()
            settings.batchSize = 10
            let worker = RetentionWorker(database: fixtures.database, settings: settings, logger: Logger(label: "test"))
            #expect(try await worker.prune().events == 2, "the first two go; the third waits for its delivery, and so does the fourth behind it")
            #expect(try await worker.prune().events == 0)
            let left = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("SELECT id FROM events WHERE tenant_id = \(tenantID) ORDER BY txid, seq", logger: fixtures.database.logger)
                    .collect { try $0.decode(UUID.self) }
            }
            #expect(left == Array(ids.suffix(3)))
            let deliveries = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("SELECT id FROM webhook_deliveries WHERE tenant_id = \(tenantID)", logger: fixtures.database.logger)
                    .collect { try $0.decode(UUID.self) }
            }
            #expect(deliveries == [waiting], "a pruned event's deliveries (and their attempts) go with it")

            // A cursor before what was pruned: 410, naming `after`, never a silent gap.
            let expired = try await admin.get("/v1/events?after=\(cursors[0])")
            #expect(expired.status == .gone)
            #expect(expired.json["error"]["code"].string == "cursor_too_old")
            #expect(expired.json["error"]["field"].string == "after")
            // At the last pruned event, or without a cursor, the rest comes in order.
            #expect(try await admin.get("/v1/events?after=\(cursors[1])").json["data"].array.compactMap { $0["id"].uuid } == Array(ids.suffix(3)))
            #expect(try await admin.get("/v1/events").json["data"].array.compactMap { $0["id"].uuid } == Array(ids.suffix(3)))

            // Once delivered, the third and the fourth go too; the fifth is young and stays.
            try await Self.exec(fixtures, tenantID, "UPDATE webhook_deliveries SET status = 'succeeded' WHERE tenant_id = \(tenantID) AND id = \(waiting)")
            #expect(try await worker.prune().events == 2)
            #expect(try await admin.get("/v1/events?after=\(cursors[1])").status == .gone)
            #expect(try await admin.get("/v1/events?after=\(cursors[3])").json["data"].array.compactMap { $0["id"].uuid } == [ids[4]])

            // A poller of other types passes the job events by: its cursor moves to the last event
            // it passed, so it never sits behind retention while it keeps polling.
            let filtered = try await admin.get("/v1/events?after=\(cursors[3])&types=proof.*")
            #expect(filtered.status == .ok)
            #expect(filtered.json["data"].array.isEmpty)
            #expect(filtered.json["next_cursor"].string == cursors[4])
            #expect(filtered.json["has_more"].bool == false)
        }
    }
}
