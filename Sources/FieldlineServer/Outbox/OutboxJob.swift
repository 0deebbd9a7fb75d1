import Foundation

/// One kind of outbox work: a topic, the payload its rows carry, what running it does, and what
/// happens when it is retried or dies. Writers name the type to queue work
/// (`Outbox.enqueue(SendMessage.self, …)`, `OutboxSQL.insert(SendMessage.self, …)`); the worker
/// finds the instance registered for a row's topic in the `OutboxRegistry`. See docs/outbox.md.
///
/// The topic and the payload's JSON keys are stored in the `outbox` table: rows written by an
/// older release must still decode, so both stay as they are once released.
protocol OutboxJob: Sendable {
    /// The payload of one row, stored as a JSON object (snake_case keys, UUIDs as lowercase strings).
    associatedtype Payload: Codable & Sendable

    /// The `outbox.topic` of this kind of work, e.g. `message.send`.
    static var topic: String { get }

    /// Does the work. It completes the row (`OutboxStore.complete`) in the transaction that
    /// records the work's effect; throwing leaves it to the worker's retry policy
    /// (`SendFailure.permanent` dead-letters at once).
    func perform(_ payload: Payload, _ item: OutboxItem) async throws

    /// The row failed and will be tried again after a delay (`reason` says why).
    func retrying(_ payload: Payload, _ item: OutboxItem, reason: String) async throws

    /// The row failed for good and is about to be dead-lettered (`reason` says why).
    func died(_ payload: Payload, _ item: OutboxItem, reason: String) async throws
}

extension OutboxJob {
    /// By default a retry needs no bookkeeping beyond the outbox row's own.
    func retrying(_ payload: Payload, _ item: OutboxItem, reason: String) async throws {}

    /// By default the dead outbox row (with its error) is the only trace.
    func died(_ payload: Payload, _ item: OutboxItem, reason: String) async throws {}
}
