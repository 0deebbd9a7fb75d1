import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("The outbox claim")
struct OutboxClaimPlanTests {
    @Test("with the statistics of an empty queue, a claim among 10,000 sends answers at once and reads a few rows per candidate")
    func staleStatistics() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            // Statistics taken while the queue was empty (a fresh database, autoanalyze of a quiet
            // queue), then a broadcast: 8,000 conversations, 2,000 of them with a second send.
            try await database.client.query("VACUUM ANALYZE outbox", logger: database.logger)
            try await OutboxClaimSupport.enqueueSends(10_000, conversations: 8_000, tenantID: tenantID, database)
            let store = OutboxStore(database: database)

            // The front of the queue.
            try await OutboxClaimSupport.expectCheapClaim(database)
            let started = ContinuousClock.now
            let front = try await store.claim(limit: 20, lease: .seconds(60))
            let elapsed = ContinuousClock.now - started
            #expect(front.count == 20)
            // Generous for a shared machine: the claim takes a few ms, the plan it replaced 15 s.
            #expect(elapsed < .seconds(3), "the claim took \(elapsed)")

            // Deep in it: every other first send in flight, the 2,000 second sends due but waiting
            // for them, then other work. The claim checks the 2,000 on its way to the other work.
            let heads = try await store.claim(limit: 10_000, lease: .seconds(60))
            #expect(heads.count == 7_980)
            for n in 1...20 {
                try await OutboxTestSupport.enqueue(RecordingJob.self, .init(noteID: UUID(), text: "other \(n)"), tenantID: tenantID, database)
            }
            try await OutboxClaimSupport.expectCheapClaim(database)
            let deep = try await store.claim(limit: 20, lease: .seconds(60))
            #expect(deep.map(\.topic) == Array(repeating: RecordingJob.topic, count: 20))
        }
    }

    @Test("a claim takes only the first unfinished send of each conversation; a done or dead one lets the next go")
    func sendOrder() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            try await database.client.query("VACUUM ANALYZE outbox", logger: database.logger)
            // 300 conversations: conversation c gets sends c, c + 300, c + 600 (ids in that order).
            try await OutboxClaimSupport.enqueueSends(900, conversations: 300, tenantID: tenantID, database)
            let store = OutboxStore(database: database)
            let firsts = try await store.claim(limit: 1000, lease: .seconds(60))
            #expect(firsts.count == 300)
            #expect(Set(try firsts.map { try OutboxClaimSupport.conversation(of: $0) }).count == 300)

            // Leased, failed and retrying (due again) or still claimed: the later sends wait.
            for item in firsts.prefix(100) { try await store.retry(item.id, after: .zero, error: "busy") }
            let retried = try await store.claim(limit: 1000, lease: .seconds(60))
            #expect(Set(retried.map(\.id)) == Set(firsts.prefix(100).map(\.id)))

            // Done (the first 100) or dead (the next 100): their conversations' second sends go next.
            for item in firsts.prefix(100) { try await database.completing(item) { _ in } }
            for item in firsts.dropFirst(100).prefix(100) { try await store.deadLetter(item.id, error: "refused") }
            let seconds = try await store.claim(limit: 1000, lease: .seconds(60))
            #expect(seconds.count == 200)
            let released = Set(try firsts.prefix(200).map { try OutboxClaimSupport.conversation(of: $0) })
            #expect(Set(try seconds.map { try OutboxClaimSupport.conversation(of: $0) }) == released)
        }
    }
}

/// Queues sends in bulk and reads plans, for the claim's tests.
enum OutboxClaimSupport {
    /// Queues `count` `message.send` rows in one statement, as a broadcast does: row n (from 0)
    /// belongs to conversation n % `conversations`, so a conversation's sends are in id order.
    static func enqueueSends(_ count: Int, conversations: Int, tenantID: UUID, _ database: Database) async throws {
        let sql = OutboxSQL.insert(
            SendMessage.self, tenant: "$1", payload: ["message_id": "s.message_id", "conversation_id": "s.conversation_id"],
            from: """
                (SELECT gen_random_uuid() AS message_id,
                        md5('conversation ' || (n % $3))::uuid AS conversation_id, n
                 FROM generate_series(0, $2 - 1) n) s ORDER BY s.n
                """)
        var binds = PostgresBindings()
        binds.append(tenantID)
        binds.append(count)
        binds.append(conversations)
        try await database.client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger)
    }

    /// Explains the statement the worker sends (20 rows), as it runs (rolled back), and expects
    /// every plan node run again for each candidate (the send-order check, the update's look-up)
    /// to read a few rows: an index look-up reads about one, a scan of the earlier or the due
    /// rows (the plans that took 15-19 s) thousands.
    static func expectCheapClaim(_ database: Database, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let plan = try await explainAnalyze(OutboxStore.claimQuery(limit: 20, lease: .seconds(60)), database)
        let nodes = nodes(of: plan)
        let read = nodes.reduce(0) { $0 + $1.rowsRead }
        let worst = nodes.max { $0.rowsRead < $1.rowsRead }
        #expect(read < 20_000, "the claim read \(read) rows; most in \(worst?.description ?? "?")", sourceLocation: sourceLocation)
        let repeated = nodes.filter { $0.loops > 1 }
        #expect(repeated.allSatisfy { $0.rowsReadPerLoop <= 10 }, "\(repeated.map(\.description))", sourceLocation: sourceLocation)
    }

    /// The conversation of a claimed send.
    static func conversation(of item: OutboxItem) throws -> String {
        let payload = try JSONDecoder().decode(SendMessage.Payload.self, from: Data(item.payload.utf8))
        return payload.conversationID.uuidString
    }

    /// `EXPLAIN (ANALYZE, FORMAT JSON)` of `query`, in a transaction rolled back.
    static func explainAnalyze(_ query: PostgresQuery, _ database: Database) async throws -> [String: Any] {
        let explain = PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query.sql, binds: query.binds)
        let text = try await database.client.withConnection { connection in
            try await connection.query("BEGIN", logger: database.logger)
            let text = try await connection.query(explain, logger: database.logger).collect().first?.decode(String.self)
            try await connection.query("ROLLBACK", logger: database.logger)
            return text
        }
        let json = try JSONSerialization.jsonObject(with: Data(try #require(text).utf8)) as? [[String: Any]]
        return try #require(json?.first?["Plan"] as? [String: Any])
    }

    /// One node of a plan, with what it read.
    struct Node: CustomStringConvertible {
        let type: String
        let index: String?
        let loops: Double
        /// Rows returned and removed by a filter or recheck, per loop.
        let rowsReadPerLoop: Double

        /// Over all loops.
        var rowsRead: Double { loops * rowsReadPerLoop }
        var description: String { "\(type)\(index.map { " on \($0)" } ?? ""): \(Int(loops)) loops of \(rowsReadPerLoop) rows" }
    }

    /// Every node of `plan`, subplans included.
    static func nodes(of plan: [String: Any]) -> [Node] {
        func number(_ key: String) -> Double { (plan[key] as? NSNumber)?.doubleValue ?? 0 }
        let node = Node(
            type: plan["Node Type"] as? String ?? "?", index: plan["Index Name"] as? String, loops: number("Actual Loops"),
            rowsReadPerLoop: number("Actual Rows") + number("Rows Removed by Filter") + number("Rows Removed by Index Recheck"))
        return [node] + ((plan["Plans"] as? [[String: Any]]) ?? []).flatMap(nodes(of:))
    }
}
