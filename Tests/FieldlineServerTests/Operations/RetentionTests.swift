import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
@testable import FieldlineServer

/// Retention (issue 15): old stream events, finished outbox rows and idempotency keys are pruned
/// in batches; a stream cursor before what was pruned is told "too old, resync".
@Suite("Retention")
struct RetentionTests {
    static func worker(_ fixtures: Fixtures) -> RetentionWorker {
        var settings = RetentionSettings()
        settings.batchSize = 2  // several batches for a handful of rows
        return RetentionWorker(database: fixtures.database, settings: settings, logger: Logger(label: "test"))
    }

    /// Runs `sql` under the tenant (row-level security applies).
    static func exec(_ fixtures: Fixtures, _ tenantID: UUID, _ sql: PostgresQuery) async throws {
        try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query(sql, logger: fixtures.database.logger)
        }
    }

    @Test("stream events older than their age are pruned; an older cursor gets 410 and stream.cursor_too_old, a newer one resumes")
    func streamEvents() async throws {
        try await TestApp.runLive { client, fixtures in
            let desk = try await StreamTests.desk(client, fixtures)
            let tenantID = desk.fixture.tenant.id
            let conversation = try await desk.send("r-1", "uno")
            for (index, text) in ["dos", "tres", "cuatro"].enumerated() {
                _ = try await desk.send("r-\(index + 2)", text)
            }
            _ = conversation
            // Wait for the publisher: five events (opened + four messages).
            var ids: [Int64] = []
            for _ in 0..<100 {
                ids = try await fixtures.database.withTenant(tenantID) { connection in
                    try await connection.query("SELECT id FROM stream_events WHERE tenant_id = \(tenantID) ORDER BY id", logger: fixtures.database.logger)
                        .collect { try $0.decode(Int64.self) }
                }
                if ids.count == 5 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(ids.count == 5)
            let oldThrough = ids[2]
            try await Self.exec(fixtures, tenantID, "UPDATE stream_events SET created_at = now() - interval '8 days' WHERE tenant_id = \(tenantID) AND id <= \(oldThrough)")

            let pruned = try await Self.worker(fixtures).prune()
            #expect(pruned.streamEvents == 3)
            #expect(try await Self.worker(fixtures).prune().streamEvents == 0)

            let admin = desk.admin
            let tooOld = try await admin.get("/v1/stream?after=\(ids[0])")
            #expect(tooOld.status == .gone)
            #expect(tooOld.json["error"]["code"].string == "cursor_too_old")
            #expect(try await admin.get("/v1/stream?after=\(oldThrough)").status == .upgradeRequired)
            #expect(try await admin.get("/v1/stream").status == .upgradeRequired)

            // On the socket: a message saying so, then the close.
            do {
                try await withStream(client, query: "?after=0", token: desk.fixture.token) { _, _ in }
                Issue.record("a pruned cursor opened the stream")
            } catch let error as StreamTimeout {
                #expect(error.description.contains("stream.cursor_too_old"), "\(error)")
            }
            // From the last pruned id, the rest arrives, in order.
            try await withStream(client, query: "?after=\(oldThrough)", token: desk.fixture.token) { inbox, _ in
                let rest = try await inbox.events(2)
                #expect(rest.map { $0["message"]["text"].string } == ["tres", "cuatro"])
            }
        }
    }

    @Test("finished outbox rows past their ages go, due and recent ones stay; old idempotency keys go")
    func outboxAndKeys() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let tenantID = fixture.tenant.id
            let logger = fixtures.database.logger
            let rows: [(String, String)] = [
                ("old-done", "now() - interval '8 days'"), ("recent-done", "now() - interval '1 day'"),
            ]
            for (name, doneAt) in rows {
                try await fixtures.database.client.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO outbox (tenant_id, topic, payload, done_at) VALUES ('\(tenantID)', 'test', '{"name":"\(name)"}', \(doneAt))
                    """), logger: logger)
            }
            try await fixtures.database.client.query(PostgresQuery(unsafeSQL: """
                INSERT INTO outbox (tenant_id, topic, payload, created_at, dead_at) VALUES
                    ('\(tenantID)', 'test', '{"name":"old-dead"}', now() - interval '40 days', now() - interval '31 days'),
                    ('\(tenantID)', 'test', '{"name":"recent-dead"}', now() - interval '9 days', now() - interval '8 days'),
                    ('\(tenantID)', 'test', '{"name":"old-due"}', now() - interval '60 days', NULL)
                """), logger: logger)
            for index in 1...3 {
                try await fixtures.database.client.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO outbox (tenant_id, topic, payload, done_at) VALUES ('\(tenantID)', 'test', '{"name":"old-done-\(index)"}', now() - interval '9 days')
                    """), logger: logger)
            }

            let admin = APICaller(client, fixture)
            var headers = HTTPFields()
            headers[HTTPField.Name("Idempotency-Key")!] = "k-old"
            #expect(try await admin.post("/v1/teams", #"{"name":"Old"}"#, headers: headers).status == .created)
            headers[HTTPField.Name("Idempotency-Key")!] = "k-new"
            #expect(try await admin.post("/v1/teams", #"{"name":"New"}"#, headers: headers).status == .created)
            try await Self.exec(fixtures, tenantID, "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE tenant_id = \(tenantID) AND key = 'k-old'")

            let pruned = try await Self.worker(fixtures).prune()
            #expect(pruned.outbox == 5)
            #expect(pruned.idempotencyKeys == 1)
            let left = try await fixtures.database.client.query(
                "SELECT payload->>'name' FROM outbox WHERE tenant_id = \(tenantID) AND topic = 'test' ORDER BY 1", logger: logger
            ).collect { try $0.decode(String.self) }
            #expect(left == ["old-due", "recent-dead", "recent-done"])
            let keys = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("SELECT key FROM idempotency_keys WHERE tenant_id = \(tenantID) ORDER BY key", logger: logger)
                    .collect { try $0.decode(String.self) }
            }
            #expect(keys == ["k-new"])
        }
    }
}
