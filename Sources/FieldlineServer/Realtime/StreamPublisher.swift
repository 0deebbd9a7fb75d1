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
/// It has a connection of its own, so a pool busy with requests never delays the stream. A
/// watchdog bounds every connect and publication by `timeout`: a connection that closed between
/// the check and the write never answers (its promise is dropped), so one that stays silent is
/// dropped and replaced, and the work is retried on the new one.
struct StreamPublisher: Service {
    let settings: DatabaseSettings
    let publication: StreamPublication
    let logger: Logger
    /// How often every tenant is swept.
    var sweepInterval: Duration = .seconds(5)
    /// The watchdog: how long a connect or a publication may take before the connection is replaced.
    var timeout: Duration = .seconds(10)
    /// The `application_name` of its connection, so operators (and tests) can find it.
    static let applicationName = "fieldline-stream-publisher"

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
        var citus = false
        var backoff: Duration = .milliseconds(100)
        // Tenants whose events the database refuses, kept apart (StreamPublisher+Stuck.swift).
        var stuck: Set<UUID> = []
        for await _ in publication.signals {
            let work = publication.takeWork()
            guard !work.isEmpty else { continue }
            do {
                let open: PostgresConnection
                // A query written to a connection the server already closed is never answered
                // (its promise is dropped with the failed write): reconnect instead.
                if let connection, !connection.isClosed { open = connection } else {
                    let configuration = try settings.publisherConfiguration()
                    let logger = logger
                    open = try await withDeadline(timeout, abandoned: { try? await $0.close() }) {
                        try await PostgresConnection.connect(
                            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
                        ).get()
                    }
                    connection = open
                    citus = try await withDeadline(timeout) { try await StreamPublication.isCitus(open, logger: logger) }
                }
                let published = try await publish(work, on: open, citus: citus, stuck: &stuck)
                if work.sweep, published > 0 {
                    logger.debug("stream sweep published events", metadata: ["count": .stringConvertible(published)])
                }
                backoff = .milliseconds(100)
            } catch {
                if error is DeadlinePassed {
                    logger.warning("stream publisher's connection did not answer; replacing it", metadata: ["timeout": .string("\(timeout)")])
                } else {
                    logger.warning("stream events not yet published; retrying", metadata: ["error": .string(error.logDescription)])
                }
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

extension DatabaseSettings {
    /// The publisher's single connection, named so operators can find it in `pg_stat_activity`.
    func publisherConfiguration() throws -> PostgresConnection.Configuration {
        var configuration = try listenerConfiguration()
        configuration.options.additionalStartupParameters = [("application_name", StreamPublisher.applicationName)]
        return configuration
    }
}
