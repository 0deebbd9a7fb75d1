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
            // The slow writer on the coordinator writes its event to the tenant's shard; the row
            // carries the worker's own transaction id (sql/140), the counter the feed's horizon
            // is read from, not the coordinator's (the column's default, which Citus evaluates on
            // the coordinator).
            try await EventsTests.lateCommitScenario(admin, fixtures, tenantID) { connection, slow in
                let ids = try #require(try await Self.txids(of: slow, tenantID, connection, logger: fixtures.database.logger))
                #expect(ids.stored == ids.worker, "the event's txid \(ids.stored) is not the worker's transaction \(ids.worker)")
            }
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
