import Foundation
import Testing
@testable import FieldlineServer

@Suite("The outbox registry and worker")
struct OutboxRegistryTests {
    /// A registry with the test job and one real job beside it.
    static func registry(_ database: Database, _ calls: CallLog) -> OutboxRegistry {
        var registry = OutboxRegistry()
        registry.register(RecordingJob(database: database, calls: calls))
        registry.register(WakeConversation(database: database, snoozes: PostgresConversationsRepository(database: database)))
        return registry
    }

    @Test("each row runs with the job registered for its topic, its payload decoded")
    func lookUp() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let calls = CallLog()
            let registry = Self.registry(database, calls)
            #expect(registry.topics == ["conversation.wake", "test.record"])
            try await OutboxTestSupport.enqueue(RecordingJob.self, .init(noteID: UUID(), text: "hello"), tenantID: tenantID, database)
            try await OutboxTestSupport.work(OutboxTestSupport.worker(database, registry))
            #expect(await calls.entries == ["perform hello"])
            let rows = try await OutboxTestSupport.rows(database)
            #expect(rows.map(\.done) == [true])
            #expect(rows.map(\.attempts) == [1])
        }
    }

    @Test("a topic nobody registered is dead-lettered at once, saying so")
    func unknownTopic() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let calls = CallLog()
            try await OutboxTestSupport.insertRaw(topic: "webhook.deliver", payload: #"{"webhook_id": "w-1"}"#, tenantID: tenantID, database)
            try await OutboxTestSupport.work(OutboxTestSupport.worker(database, Self.registry(database, calls), maxAttempts: 8))
            let row = try #require(try await OutboxTestSupport.rows(database).first)
            #expect(row.dead && !row.done)
            #expect(row.attempts == 1)
            #expect(row.lastError == "no handler for outbox topic webhook.deliver")
            #expect(await calls.entries.isEmpty)
        }
    }

    @Test("a payload that does not decode as its job's is dead-lettered at once, naming the key")
    func undecodable() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let calls = CallLog()
            for json in [#"{"text": "no id"}"#, #"{"note_id": "not-a-uuid", "text": "x"}"#, #"{"note_id": 42, "text": "x"}"#, #"["x"]"#] {
                try await OutboxTestSupport.insertRaw(topic: RecordingJob.topic, payload: json, tenantID: tenantID, database)
            }
            try await OutboxTestSupport.work(OutboxTestSupport.worker(database, Self.registry(database, calls), maxAttempts: 8))
            let rows = try await OutboxTestSupport.rows(database)
            #expect(rows.map(\.dead) == [true, true, true, true])
            #expect(rows.map(\.attempts) == [1, 1, 1, 1])
            let errors = rows.map { $0.lastError ?? "" }
            #expect(errors.allSatisfy { $0.hasPrefix("the test.record payload {") || $0.hasPrefix("the test.record payload [") })
            #expect(errors[0].hasSuffix("is not readable: note_id is missing"))
            #expect(errors[1].contains("is not readable: note_id: "))
            #expect(errors[2].hasSuffix("is not readable: note_id is not of type String"))
            #expect(errors[3].contains("is not readable: the payload "))
            // No job ran, so none did its dead-letter bookkeeping either.
            #expect(await calls.entries.isEmpty)
        }
    }

    @Test("a transient failure is retried with the job's retry bookkeeping; the last attempt dies with its dead-letter bookkeeping")
    func retryThenDie() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let calls = CallLog()
            let worker = OutboxTestSupport.worker(database, Self.registry(database, calls), maxAttempts: 2)
            try await OutboxTestSupport.enqueue(RecordingJob.self, .init(noteID: UUID(), text: "transient"), tenantID: tenantID, database)
            try await OutboxTestSupport.work(worker)
            let retried = try #require(try await OutboxTestSupport.rows(database).first)
            #expect(!retried.dead && !retried.done)
            #expect(retried.lastError == "busy")
            #expect(retried.dueIn > 0.2)
            #expect(await calls.entries == ["perform transient", "retrying transient: busy"])

            try await database.client.query("UPDATE outbox SET available_at = now()", logger: database.logger)
            try await OutboxTestSupport.work(worker)
            let dead = try #require(try await OutboxTestSupport.rows(database).first)
            #expect(dead.dead && dead.attempts == 2 && dead.lastError == "busy")
            #expect(await calls.entries.suffix(2) == ["perform transient", "died transient: busy"])
        }
    }

    @Test("a permanent failure dies on its first attempt")
    func permanent() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let calls = CallLog()
            try await OutboxTestSupport.enqueue(RecordingJob.self, .init(noteID: UUID(), text: "permanent"), tenantID: tenantID, database)
            try await OutboxTestSupport.work(OutboxTestSupport.worker(database, Self.registry(database, calls), maxAttempts: 8))
            let row = try #require(try await OutboxTestSupport.rows(database).first)
            #expect(row.dead && row.attempts == 1 && row.lastError == "refused")
            #expect(await calls.entries == ["perform permanent", "died permanent: refused"])
        }
    }
}
