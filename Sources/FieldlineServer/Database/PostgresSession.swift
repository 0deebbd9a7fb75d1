import Logging
import PostgresNIO

/// Runs `body` with a connection pool that is running only for its duration: for one-off CLI
/// commands and test set-up, outside an application's service group.
@discardableResult
public func withPostgres<T: Sendable>(
    _ settings: DatabaseSettings,
    logger: Logger = Logger(label: "fieldline.postgres"),
    poolSize: Int = 4,
    _ body: @Sendable (Database) async throws -> T
) async throws -> T {
    // The pool may log that it is not running yet while `run()` starts in the child task; that
    // race is expected here, so its background logger reports errors only.
    var backgroundLogger = logger
    backgroundLogger.logLevel = .error
    let client = PostgresClient(configuration: settings.clientConfiguration(poolSize: poolSize), backgroundLogger: backgroundLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(Database(client: client, logger: logger))
    }
}
