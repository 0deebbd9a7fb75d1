import FieldlineDomain
import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

extension CitusTests {
    /// A worker of the test cluster, as the coordinator knows it.
    struct Worker: Equatable, CustomStringConvertible {
        let name: String
        let port: Int
        var description: String { "\(name):\(port)" }
    }

    /// The id of the tenant's events shard (its co-located shards move with it) and the worker
    /// that holds it.
    static func placement(of tenantID: UUID, _ fixtures: Fixtures) async throws -> (shard: Int64, worker: Worker) {
        let row = try await fixtures.database.client.query("""
            SELECT shardid, nodename, nodeport FROM citus_shards
            WHERE shardid = get_shard_id_for_distribution_column('events', \(tenantID))
            """, logger: fixtures.database.logger).first { try $0.decode((Int64, String, Int).self) }
        let found = try #require(row)
        return (found.0, Worker(name: found.1, port: found.2))
    }

    /// The test cluster's other worker.
    static func otherWorker(than worker: Worker, _ fixtures: Fixtures) async throws -> Worker {
        let rows = try await fixtures.database.client.query("""
            SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' AND isactive
            ORDER BY nodeport
            """, logger: fixtures.database.logger).collect { try $0.decode((String, Int).self) }
        return try #require(rows.map { Worker(name: $0.0, port: $0.1) }.first { $0 != worker })
    }

    /// The worker's next transaction id (sql/155).
    static func nextXid(_ worker: Worker, _ fixtures: Fixtures) async throws -> UInt64 {
        let value = try await Self.value(String.self, "SELECT fieldline_worker_next_xid(\(worker.name), \(worker.port)::int)::text", fixtures)
        return try #require(value.flatMap(UInt64.init))
    }

    /// Advances the worker's counter past `past` with sql/155's procedure, run on it.
    static func advance(_ worker: Worker, past: UInt64, _ fixtures: Fixtures) async throws {
        let command = "CALL fieldline_advance_xid('\(past)')"
        let result = try await fixtures.database.client.query("""
            SELECT success, result FROM master_run_on_worker(ARRAY[\(worker.name)], ARRAY[\(worker.port)::int], ARRAY[\(command)], false)
            """, logger: fixtures.database.logger).first { try $0.decode((Bool, String).self) }
        #expect(result?.0 == true, "\(String(describing: result))")
    }

    /// Moves the shard and its co-located shards as docs/scaling.md says: as the superuser
    /// (`FIELDLINE_CITUS_ADMIN_URL`, from scripts/citus-test), since the move copies the rows
    /// with a plain read that the shards' forced row-level security hides from their owner (run
    /// as the app's role, the move copied nothing), blocking writes meanwhile (the test cluster
    /// has no wal_level = logical), then forcing row-level security again on the shards, which
    /// the new placements take from the coordinator's shells without it (sql/089).
    static func move(_ shard: Int64, from source: Worker, to target: Worker, _ fixtures: Fixtures) async throws {
        guard let url = ProcessInfo.processInfo.environment["FIELDLINE_CITUS_ADMIN_URL"] else {
            throw TestSetupError("FIELDLINE_CITUS_ADMIN_URL is not set: run these tests with scripts/citus-test")
        }
        let settings = try DatabaseSettings(url: url, variable: "FIELDLINE_CITUS_ADMIN_URL")
        try await withPostgres(settings, logger: fixtures.database.logger) { admin in
            try await admin.client.query("""
                SELECT citus_move_shard_placement(\(shard), \(source.name), \(source.port)::int, \(target.name), \(target.port)::int,
                    shard_transfer_mode := 'block_writes')
                """, logger: admin.logger)
            // One shard at a time, each result read: run in parallel under load, some shards
            // were left unforced, silently (their owner, the app's role, then saw every tenant).
            let failed = try await admin.client.query("""
                SELECT r.shardid, r.result FROM pg_dist_partition p,
                    run_command_on_shards(p.logicalrelid, 'ALTER TABLE %s FORCE ROW LEVEL SECURITY', false) r
                WHERE p.partmethod = 'h' AND NOT r.success
                """, logger: admin.logger).collect { try $0.decode((Int64, String).self) }
            #expect(failed.isEmpty, "\(failed)")
        }
    }

    /// The txid stored with the tenant's latest event, read on its shard.
    static func latestTxid(_ tenantID: UUID, _ fixtures: Fixtures) async throws -> UInt64 {
        let value = try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query(
                "SELECT txid::text FROM events WHERE tenant_id = \(tenantID) ORDER BY seq DESC LIMIT 1", logger: fixtures.database.logger
            ).first { try $0.decode(String.self) }
        }
        return try #require(value.flatMap(UInt64.init))
    }

    @Test("a shard move keeps the event feed's order when the target's counter is caught up first (sql/155); without it the tenant's next event sorts below the cursor and is skipped")
    func shardMove() async throws {
        try await Self.run { client, fixtures in
            let fixture = try await Self.tenant(fixtures)
            let admin = APICaller(client, fixture)
            let tenantID = fixture.tenant.id
            let (shard, source) = try await Self.placement(of: tenantID, fixtures)
            let target = try await Self.otherWorker(than: source, fixtures)

            // The source worker's counter clearly ahead of the target's (as a busier worker's
            // is), then the tenant's events there, read to the end by a consumer.
            let ahead = max(try await Self.nextXid(source, fixtures), try await Self.nextXid(target, fixtures)) + 50_000
            try await Self.advance(source, past: ahead, fixtures)
            _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"First"}"#)
            _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-2","title":"Second"}"#)
            let read = try await EventsTests.all(admin, count: 2)
            let cursor = try #require(read.last?["cursor"].string)
            let cursorTxid = try #require(EventCursor(encoded: cursor)?.txid)
            // Left as it is, the target would give the tenant's next event a txid below the cursor.
            #expect(try await Self.nextXid(target, fixtures) < cursorTxid)

            // The procedure of docs/scaling.md: catch the target up, move, check.
            let caughtUp = try #require(try await Self.value(String.self, """
                SELECT fieldline_catch_up_xid(\(source.name), \(source.port)::int, \(target.name), \(target.port)::int, 10000)::text
                """, fixtures).flatMap(UInt64.init))
            #expect(caughtUp > cursorTxid + 10_000)
            try await Self.move(shard, from: source, to: target, fixtures)
            #expect(try await Self.placement(of: tenantID, fixtures).worker == target)
            #expect(try await Self.nextXid(source, fixtures) <= caughtUp, "the source gave ids past the margin during the move")
            _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-3","title":"After the move"}"#)
            let next = try await EventsTests.all(admin, count: 1, after: cursor)
            #expect(next.map { $0["type"].string } == ["job.created"], "\(next)")
            #expect(next.first?["data"]["order_number"].string == "PO-3", "\(next)")
            let movedCursor = try #require(next.last?["cursor"].string)
            let movedTxid = try #require(EventCursor(encoded: movedCursor)?.txid)
            #expect(movedTxid >= caughtUp)
            // The moved events kept their txids: the whole feed is still in order.
            let all = try await EventsTests.all(admin, count: 3, limit: 10)
            #expect(all.compactMap { $0["data"]["order_number"].string } == ["PO-1", "PO-2", "PO-3"])

            // Without the catch-up: back to the first worker, whose counter is now behind the
            // cursor. The next event is written, committed, and sorts below what was read.
            let behind = try await Self.nextXid(source, fixtures)
            #expect(behind < movedTxid)
            try await Self.move(shard, from: target, to: source, fixtures)
            _ = try await admin.post("/v1/jobs", #"{"order_number":"PO-4","title":"Skipped"}"#)
            let skipped = try await Self.latestTxid(tenantID, fixtures)
            #expect(skipped < movedTxid, "the event's txid \(skipped) is not below the cursor's \(movedTxid)")
            let page = try await admin.get("/v1/events?after=\(movedCursor)")
            #expect(page.status == .ok, "\(page.text)")
            #expect(page.json["data"].array.isEmpty, "\(page.text)")

            // Leave the cluster as the procedure would: every worker's counter past the other's.
            let restored = try #require(try await Self.value(String.self, """
                SELECT fieldline_catch_up_xid(\(target.name), \(target.port)::int, \(source.name), \(source.port)::int, 0)::text
                """, fixtures).flatMap(UInt64.init))
            #expect(restored > movedTxid)
        }
    }
}
