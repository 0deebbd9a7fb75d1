import Foundation
import Logging
import PostgresNIO
@testable import FieldlineServer

/// The outbox on a database of its own, without an application (whose worker would claim the
/// rows a test wants to work itself).
enum OutboxTestSupport {
    /// A fresh database with one tenant.
    static func run(_ body: @Sendable (Database, UUID) async throws -> Void) async throws {
        let settings = try await TestDatabase.create()
        do {
            try await withPostgres(settings, logger: TestDatabase.logger) { database in
                let tenant = try await Provisioning(database: database, hasher: PasswordHasher(cost: 4)).createTenant(name: "Acme", slug: "acme")
                try await body(database, tenant.id)
            }
        } catch {
            await TestDatabase.drop(settings)
            throw error
        }
        await TestDatabase.drop(settings)
    }

    /// Queues `payload` for `job` in a transaction of its own.
    @discardableResult
    static func enqueue<Job: OutboxJob>(
        _ job: Job.Type, _ payload: Job.Payload, availableAt: Date? = nil, duplicates: Outbox.Duplicates = .allowed,
        tenantID: UUID, _ database: Database
    ) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await Outbox.enqueue(
                job, payload, availableAt: availableAt, duplicates: duplicates, tenantID: tenantID, on: connection, logger: database.logger)
        }
    }

    /// Writes a row the way releases before the typed outbox did: a topic and raw JSON.
    static func insertRaw(topic: String, payload json: String, tenantID: UUID, _ database: Database) async throws {
        try await database.client.query(
            "INSERT INTO outbox (tenant_id, topic, payload) VALUES (\(tenantID), \(topic), \(json)::jsonb)", logger: database.logger)
    }

    /// Claims every due row once and lets `worker` process each.
    static func work(_ worker: OutboxWorker) async throws {
        for item in try await worker.store.claim(limit: 50, lease: .seconds(60)) { await worker.process(item) }
    }

    /// A worker over `registry` that gives up after `maxAttempts`.
    static func worker(_ database: Database, _ registry: OutboxRegistry, maxAttempts: Int = 2) -> OutboxWorker {
        OutboxWorker(
            store: OutboxStore(database: database), registry: registry, maxAttempts: maxAttempts, pollInterval: .milliseconds(20),
            logger: TestDatabase.logger)
    }

    /// One outbox row as a test looks at it.
    struct Row: Sendable, Equatable {
        let topic: String
        let payload: String
        let attempts: Int
        let done: Bool
        let dead: Bool
        let lastError: String?
        /// Seconds from now until it is due (negative: overdue).
        let dueIn: Double
    }

    /// Every outbox row, oldest first.
    static func rows(_ database: Database) async throws -> [Row] {
        try await database.client.query("""
            SELECT topic, payload::text, attempts, done_at IS NOT NULL, dead_at IS NOT NULL, last_error,
                   extract(epoch FROM available_at - now())::float8
            FROM outbox ORDER BY id
            """, logger: database.logger
        ).collect { row in
            let (topic, payload, attempts, done, dead, lastError, dueIn) = try row.decode((String, String, Int, Bool, Bool, String?, Double).self)
            return Row(topic: topic, payload: payload, attempts: attempts, done: done, dead: dead, lastError: lastError, dueIn: dueIn)
        }
    }
}

/// What the worker asked of a `RecordingJob`, in order.
actor CallLog {
    private(set) var entries: [String] = []

    /// Notes one call.
    func add(_ entry: String) { entries.append(entry) }
}

/// A job for tests: records each call, and fails as its payload's text says (`transient`,
/// `permanent`) or takes 2.5 s (`slow`); otherwise completes its row.
struct RecordingJob: OutboxJob {
    static let topic = "test.record"

    /// A note to record.
    struct Payload: Codable, Sendable, Equatable {
        let noteID: UUID
        let text: String

        /// Stored keys.
        enum CodingKeys: String, CodingKey {
            case noteID = "note_id"
            case text
        }
    }

    let database: Database
    let calls: CallLog

    /// Records the call; fails or completes the row.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        await calls.add("perform \(payload.text)")
        switch payload.text {
        case "transient": throw SendFailure.transient("busy", retryAfter: nil)
        case "permanent": throw SendFailure.permanent("refused")
        case "slow":
            // Longer than the short lease a test gives its workers.
            try await Task.sleep(for: .milliseconds(2500))
            try await database.completing(item) { _ in }
        default: try await database.completing(item) { _ in }
        }
    }

    /// Records the retry.
    func retrying(_ payload: Payload, _ item: OutboxItem, reason: String) async throws {
        await calls.add("retrying \(payload.text): \(reason)")
    }

    /// Records the death.
    func died(_ payload: Payload, _ item: OutboxItem, reason: String) async throws {
        await calls.add("died \(payload.text): \(reason)")
    }
}
