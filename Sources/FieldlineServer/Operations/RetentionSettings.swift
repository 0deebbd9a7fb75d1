/// How long old rows are kept before `RetentionWorker` prunes them (`*_RETENTION_*` variables).
public struct RetentionSettings: Sendable, Equatable {
    /// Stream events: a client may resume with `?after=` within this age.
    public var streamEvents: Duration = .seconds(7 * 86_400)
    /// Outbox rows done (sent, fetched, delivered).
    public var outboxDone: Duration = .seconds(7 * 86_400)
    /// Outbox rows given up on (dead-lettered), kept longer for inspection.
    public var outboxDead: Duration = .seconds(30 * 86_400)
    /// Idempotency keys: replays are promised for 24 hours, so never less.
    public var idempotencyKeys: Duration = .seconds(86_400)
    /// Rows deleted per statement (each its own short transaction).
    public var batchSize = 1000
    /// How often a pass runs on each instance (zero turns pruning off).
    public var interval: Duration = .seconds(300)

    /// The defaults.
    public init() {}
}
