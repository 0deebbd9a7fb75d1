import Foundation
import Logging
import NIOPosix
import PostgresNIO
import ServiceLifecycle

/// This instance's publisher of stream events (a Service run by the application): when a
/// transaction that wrote events commits, it moves them from `stream_pending` into
/// `stream_events` with `stream_publish()`, which numbers them and wakes every instance's
/// `StreamListener`. It also sweeps every tenant shortly after start and then every
/// `sweepInterval`, for events whose writer stopped before it could announce them.
///
/// It has a connection of its own, so a pool busy with requests never delays the stream.
struct StreamPublisher: Service {
    let settings: DatabaseSettings
    let publication: StreamPublication
    let logger: Logger
    /// How often every tenant is swept.
    var sweepInterval: Duration = .seconds(5)

    /// Runs until graceful shutdown or cancellation.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await publishUntilCancelled() }
                group.addTask { await requestSweeps() }
            }
        }
    }

    /// Publishes each burst of signals (one publication per burst), reconnecting after failures.
    private func publishUntilCancelled() async {
        var connection: PostgresConnection?
        var backoff: Duration = .milliseconds(100)
        for await _ in publication.signals {
            let work = publication.takeWork()
            guard !work.isEmpty else { continue }
            do {
                let open: PostgresConnection
                // A query written to a connection the server already closed is never answered
                // (its promise is dropped with the failed write): reconnect instead.
                if let connection, !connection.isClosed { open = connection } else {
                    open = try await PostgresConnection.connect(
                        on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try settings.listenerConfiguration(),
                        id: 1, logger: logger
                    ).get()
                    connection = open
                }
                let published = try await StreamPublication.publish(work.sweep ? nil : Array(work.tenants), on: open, logger: logger)
                if work.sweep, published > 0 {
                    logger.debug("stream sweep published events", metadata: ["count": .stringConvertible(published)])
                }
                backoff = .milliseconds(100)
            } catch {
                logger.warning("stream events not yet published; retrying", metadata: ["error": .string(String(describing: error))])
                // A failed connection may never answer a polite close: drop it without waiting.
                if let failed = connection { Task { try? await failed.close() } }
                connection = nil
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
                publication.retry(work)
            }
        }
        if let connection { Task { try? await connection.close() } }
    }

    /// Asks for a sweep shortly after start (migrations may still be running), then every
    /// `sweepInterval`.
    private func requestSweeps() async {
        var delay = min(.seconds(1), sweepInterval)
        while !Task.isCancelled {
            do { try await Task.sleep(for: delay) } catch { return }
            delay = sweepInterval
            publication.requestSweep()
        }
    }
}
