import FieldlineDomain
import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

extension CitusTests {
    /// The worker's transaction id of an open transaction on `connection` that wrote `event` to
    /// the tenant's shard, and the event's stored txid, both read on that worker in one
    /// single-shard statement (the same connection Citus wrote the event with).
    static func txids(of event: UUID, _ tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws -> (stored: String, worker: String)? {
        try await connection.query("""
            SELECT txid::text, pg_current_xact_id()::text FROM events WHERE tenant_id = \(tenantID) AND id = \(event)
            """, logger: logger).first { try $0.decode((String, String).self) }
    }

    @Test("the event feed on the cluster: txid is the worker's transaction id, so a late commit is held back and then fed in commit order, never skipped")
    func eventFeed() async throws {
        try await Self.run { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let admin = APICaller(client, fixture)
            let tenantID = fixture.tenant.id
            let logger = fixtures.database.logger
            _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"First"}"#)
            let first = try await EventsTests.all(admin, count: 1)
            #expect(first.map { $0["type"].string } == ["job.created"])
            let after = try #require(first.last?["cursor"].string)
            try await fixtures.database.client.withConnection { connection in
                // A slow writer on the coordinator: its transaction records an event on the
                // tenant's shard and stays open.
                try await connection.query("BEGIN", logger: logger)
                try await connection.setLocal("app.tenant_id", to: tenantID.uuidString, logger: logger)
                let slow = UUIDv7.make()
                try await connection.query("""
                    INSERT INTO events (tenant_id, id, type, resource_type, resource_id, body)
                    VALUES (\(tenantID), \(slow), 'job.cancelled', 'job', \(UUID()), '{"slow":true}')
                    """, logger: logger)
                // The row carries the worker's own transaction id (sql/140), the counter the
                // feed's horizon is read from, not the coordinator's (the column's default,
                // which Citus evaluates on the coordinator).
                let ids = try #require(try await Self.txids(of: slow, tenantID, connection, logger: logger))
                #expect(ids.stored == ids.worker, "the event's txid \(ids.stored) is not the worker's transaction \(ids.worker)")
                // A quick writer commits after it, through the API.
                _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-2","title":"Second"}"#)
                let held = try await admin.get("/v1/events?after=\(after)")
                #expect(held.status == .ok, "\(held.text)")
                #expect(held.json["data"].array.isEmpty, "a later commit must wait behind the open transaction: \(held.text)")
                try await connection.query("COMMIT", logger: logger)
            }
            let next = try await EventsTests.all(admin, count: 2, after: after)
            #expect(next.map { $0["type"].string } == ["job.cancelled", "job.created"])
            #expect(next.first?["data"]["slow"].bool == true)
            // Events written by the app's statements (an UPDATE's, ingest's INSERT … SELECT with
            // RETURNING) carry the worker's ids too: all of the tenant's rows sort by one counter.
            let job = try #require(try await admin.get("/v1/jobs").json["data"][0]["id"].string)
            #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"cancelled"}"#).status == .ok)
            let all = try await EventsTests.all(admin, count: 4, limit: 10)
            #expect(all.map { $0["type"].string } == ["job.created", "job.cancelled", "job.created", "job.cancelled"], "\(all)")
            let cursors = all.compactMap { $0["cursor"].string.flatMap(EventCursor.init(encoded:)) }
            #expect(cursors == cursors.sorted() && Set(cursors.map(\.seq)).count == 4)
        }
    }
}
