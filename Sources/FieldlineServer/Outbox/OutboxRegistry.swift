import Foundation

/// A claimed row matched with its job and its decoded payload, ready to run.
struct OutboxRun: Sendable {
    /// Does the work (`OutboxJob.perform`).
    let perform: @Sendable () async throws -> Void
    /// Bookkeeping before the row is tried again (`OutboxJob.retrying`).
    let retrying: @Sendable (_ reason: String) async throws -> Void
    /// Bookkeeping before the row is dead-lettered (`OutboxJob.died`).
    let died: @Sendable (_ reason: String) async throws -> Void
}

/// The outbox jobs this server runs, by topic: built once in `buildApplication` (one
/// `register` line per job) and read by the `OutboxWorker`.
struct OutboxRegistry: Sendable {
    private var makers: [String: @Sendable (OutboxItem) throws -> OutboxRun] = [:]

    /// An empty registry.
    init() {}

    /// Runs `job` for rows of its topic. Registering a topic twice is a programming error.
    mutating func register<Job: OutboxJob>(_ job: Job) {
        precondition(makers[Job.topic] == nil, "outbox topic \(Job.topic) is registered twice")
        makers[Job.topic] = { item in
            let payload = try OutboxPayload.decode(Job.Payload.self, from: item.payload, topic: Job.topic)
            return OutboxRun(
                perform: { try await job.perform(payload, item) },
                retrying: { try await job.retrying(payload, item, reason: $0) },
                died: { try await job.died(payload, item, reason: $0) })
        }
    }

    /// The registered topics, sorted.
    var topics: [String] { makers.keys.sorted() }

    /// The run for `item`. A topic nobody registered, or a payload that does not decode as its
    /// job's, throws `SendFailure.permanent`: no attempt will do better, so the row dies at once.
    func run(for item: OutboxItem) throws -> OutboxRun {
        guard let make = makers[item.topic] else { throw SendFailure.permanent("no handler for outbox topic \(item.topic)") }
        return try make(item)
    }
}
