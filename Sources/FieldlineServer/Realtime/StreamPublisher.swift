import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// This instance's publisher of stream events (a Service run by the application): when a
/// transaction that wrote events commits, it moves them from `stream_pending` into
/// `stream_events` with `stream_publish()`, which numbers them and wakes every instance's
/// `StreamListener`. It also sweeps every tenant at start and then every `sweepInterval`, for
/// events whose writer stopped before it could signal.
struct StreamPublisher: Service {
    let database: Database
    let logger: Logger
    /// How often every tenant is swept.
    var sweepInterval: Duration = .seconds(5)
    /// How long to wait before retrying after the database failed.
    var retryDelay: Duration = .milliseconds(200)

    /// Runs until graceful shutdown or cancellation.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await publishSignalled() }
                group.addTask { await sweepPeriodically() }
            }
        }
    }

    /// Publishes the signalled tenants, one publication per burst of signals.
    private func publishSignalled() async {
        let publication = database.streamPublication
        for await _ in publication.signals {
            let tenants = publication.takeSignalled()
            guard !tenants.isEmpty else { continue }
            do {
                try await database.publishStreamEvents(of: Array(tenants), logger: logger)
            } catch {
                logger.warning("stream events not yet published; retrying", metadata: ["error": .string(String(describing: error))])
                try? await Task.sleep(for: retryDelay)
                publication.signal(tenants)
            }
        }
    }

    /// Publishes every tenant's leftovers: shortly after start (migrations may still be
    /// running), then every `sweepInterval`.
    private func sweepPeriodically() async {
        var delay: Duration = min(.seconds(1), sweepInterval)
        while !Task.isCancelled {
            do { try await Task.sleep(for: delay) } catch { return }
            delay = sweepInterval
            do {
                let published = try await database.publishStreamEvents(of: nil, logger: logger)
                if published > 0 { logger.info("stream sweep published events left by a stopped writer", metadata: ["count": .stringConvertible(published)]) }
            } catch {
                logger.warning("stream sweep failed", metadata: ["error": .string(String(describing: error))])
            }
        }
    }
}

extension Database {
    /// Publishes the committed pending stream events of `tenants` (every tenant when nil) in a
    /// transaction of its own; returns how many were published.
    @discardableResult
    func publishStreamEvents(of tenants: [UUID]?, logger: Logger? = nil) async throws -> Int {
        try await client.withConnection { connection in
            try await connection.query("SELECT stream_publish(\(tenants)::uuid[])", logger: logger ?? self.logger)
                .first { try $0.decode(Int32.self) }.map(Int.init) ?? 0
        }
    }
}
