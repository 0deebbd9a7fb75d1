import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The hand-off between writers of stream events and this instance's `StreamPublisher`: a
/// transaction that wrote events marks its tenant (`markWritten`), and `Database` signals the
/// marked tenants once that transaction has committed. Signals coalesce, so a burst of commits
/// costs the publisher one publication.
public final class StreamPublication: Sendable {
    /// What the publisher has been asked to publish since it last looked.
    struct Work: Sendable {
        var tenants: Set<UUID> = []
        /// Every tenant (a periodic sweep).
        var sweep = false
        var isEmpty: Bool { tenants.isEmpty && !sweep }
    }

    private let work = NIOLockedValueBox(Work())
    private let continuation: AsyncStream<Void>.Continuation
    /// One element per burst of signals; the publisher is its only consumer.
    let signals: AsyncStream<Void>

    /// An idle hand-off.
    public init() {
        (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Tells the publisher that `tenants` have committed events to publish.
    func signal(_ tenants: Set<UUID>) {
        guard !tenants.isEmpty else { return }
        work.withLockedValue { $0.tenants.formUnion(tenants) }
        continuation.yield()
    }

    /// Asks the publisher to publish every tenant's pending events.
    func requestSweep() {
        work.withLockedValue { $0.sweep = true }
        continuation.yield()
    }

    /// Puts back work that failed, to be tried again with whatever arrives meanwhile.
    func retry(_ failed: Work) {
        work.withLockedValue { $0.tenants.formUnion(failed.tenants); $0.sweep = $0.sweep || failed.sweep }
        continuation.yield()
    }

    /// The work asked for since the last call, leaving none.
    func takeWork() -> Work {
        work.withLockedValue { pending in
            defer { pending = Work() }
            return pending
        }
    }

    /// The tenants the current transaction wrote events for (bound by `Database.transaction`).
    final class Written: Sendable {
        private let tenants = NIOLockedValueBox(Set<UUID>())
        func insert(_ tenantID: UUID) { _ = tenants.withLockedValue { $0.insert(tenantID) } }
        var all: Set<UUID> { tenants.withLockedValue { $0 } }
    }

    @TaskLocal static var written: Written?

    /// Records that the current transaction wrote events of `tenantID`. Outside a `Database`
    /// transaction it records nothing: the publisher's sweep publishes such events later.
    static func markWritten(_ tenantID: UUID) {
        written?.insert(tenantID)
    }

    /// Publishes the committed pending stream events of `tenants` (every tenant when nil) with
    /// `stream_publish()`, a transaction of its own; returns how many were published.
    /// On Citus (`transactionBlock`), inside an explicit transaction block: the `SET LOCAL
    /// app.tenant_id` it makes for each tenant reaches the workers only inside one (sql/082). On
    /// a single PostgreSQL one statement, as before.
    static func publish(_ tenants: [UUID]?, on connection: PostgresConnection, transactionBlock: Bool, logger: Logger) async throws -> Int {
        guard transactionBlock else { return try await callPublish(tenants, on: connection, logger: logger) }
        try await connection.query("BEGIN", logger: logger)
        do {
            let published = try await callPublish(tenants, on: connection, logger: logger)
            try await connection.query("COMMIT", logger: logger)
            return published
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    private static func callPublish(_ tenants: [UUID]?, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await connection.query("SELECT stream_publish(\(tenants)::uuid[])", logger: logger)
            .first { try $0.decode(Int32.self) }.map(Int.init) ?? 0
    }

    /// Whether the database is a Citus coordinator (`fieldline_citus()`, sql/080).
    static func isCitus(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.query("SELECT fieldline_citus()", logger: logger).first { try $0.decode(Bool.self) } ?? false
    }
}

extension Database {
    /// Publishes the committed pending stream events of `tenants` (every tenant when nil) on a
    /// pooled connection; returns how many were published.
    @discardableResult
    func publishStreamEvents(of tenants: [UUID]?) async throws -> Int {
        try await client.withConnection { connection in
            let citus = try await StreamPublication.isCitus(connection, logger: logger)
            return try await StreamPublication.publish(tenants, on: connection, transactionBlock: citus, logger: logger)
        }
    }
}
