import Logging
import NIOPosix
import PostgresNIO

extension DatabaseSettings {
    /// Opens one connection and closes it, throwing why when the database cannot be reached (a
    /// refused connection, an unknown host, a password the server refuses). A `PostgresClient`
    /// waits for a connection without limit, retrying, so the command line asks this first and
    /// fails at once with the cause instead of hanging.
    public func checkReachable(logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try listenerConfiguration(), id: 0, logger: logger
        ).get()
        try? await connection.close()
    }
}
