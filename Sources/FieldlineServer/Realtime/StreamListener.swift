import Foundation
import Logging
import NIOPosix
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The one `LISTEN` connection of this server instance (a Service run by the application):
/// turns each `NOTIFY` on `fieldline_stream` into a wake-up of the tenant's streams in the hub.
/// When the connection drops it reconnects with backoff and wakes every stream, which catch
/// up from the table; on graceful shutdown it ends every stream. An `account:<tenant>:<user>`
/// notification (`sql/060_account_notifications.sql`) says a user's role, organization or
/// state changed: their cached account is forgotten and their streams are closed.
struct StreamListener: Service {
    let settings: DatabaseSettings
    let hub: StreamHub
    /// Users' cached account states, forgotten when their account changes.
    let accounts: AccountCache
    let logger: Logger
    /// How often the idle connection is probed, so a dead peer is noticed.
    var heartbeat: Duration = .seconds(15)

    /// Runs until graceful shutdown or cancellation.
    func run() async throws {
        await cancelWhenGracefulShutdown { await self.listenUntilCancelled() }
        await hub.shutdown()
    }

    /// Connects, listens and reconnects until the task is cancelled.
    func listenUntilCancelled() async {
        var backoff: Duration = .milliseconds(100)
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                try await listenOnce()
                backoff = .milliseconds(100)
            } catch where Task.isCancelled {
                return
            } catch {
                logger.warning("stream listener lost its connection; reconnecting", metadata: [
                    "error": .string(error.logDescription), "attempt": .stringConvertible(attempt),
                ])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// One connection's life: LISTEN, wake everyone (notifications may have been missed while
    /// not listening), then forward notifications until the connection fails.
    func listenOnce() async throws {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try settings.listenerConfiguration(),
            id: 0, logger: logger
        ).get()
        defer { Task { try? await connection.close() } }
        try await connection.listen(on: StreamEventWriter.channel) { notifications in
            // Account notifications may have been missed too.
            accounts.invalidateAll()
            await hub.wakeAll()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await notification in notifications {
                        if let userID = Self.changedAccount(in: notification.payload) {
                            accounts.invalidate(userID)
                            await hub.closeStreams(ofUser: userID)
                        } else if let tenantID = Self.tenant(of: notification.payload) {
                            await hub.wake(tenantID: tenantID)
                        }
                    }
                    throw ListenerEnded()
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: heartbeat)
                        try await connection.query("SELECT 1", logger: logger)
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// The tenant of a `<tenant_id>:<event id>` payload.
    static func tenant(of payload: String) -> UUID? {
        payload.split(separator: ":", maxSplits: 1).first.flatMap { UUID(uuidString: String($0)) }
    }

    /// The user of an `account:<tenant_id>:<user_id>` payload.
    static func changedAccount(in payload: String) -> UUID? {
        let parts = payload.split(separator: ":")
        guard parts.count == 3, parts[0] == "account" else { return nil }
        return UUID(uuidString: String(parts[2]))
    }

    /// The notification sequence ended: the connection is gone.
    struct ListenerEnded: Error {}
}

extension DatabaseSettings {
    /// A single-connection configuration for the stream listener.
    func listenerConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = requireTLS
            ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}
