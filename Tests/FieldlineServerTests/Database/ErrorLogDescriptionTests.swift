import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Testing
@testable import FieldlineServer

/// What the server's logs say of a database error: PSQLError describes itself with a fixed text
/// ("Generic description to prevent accidental leakage…") that names no cause, so the workers'
/// warnings (stream listener, publisher, retention) said nothing an operator could act on.
@Suite("Database errors in the server's logs")
struct ErrorLogDescriptionTests {
    @Test("a refused connection names its kind and cause; a server error its message and SQLSTATE; other errors describe themselves")
    func logDescription() async throws {
        let closed = try DatabaseSettings(url: "postgres://fieldline:x@127.0.0.1:1/fieldline", variable: "DATABASE_URL")
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try closed.listenerConfiguration(), id: 0,
                logger: Logger(label: "test")
            ).get()
            try? await connection.close()
            Issue.record("a connection to port 1 was accepted")
        } catch {
            #expect(String(describing: error).contains("Generic description"), "the fixed text this replaces")
            #expect(error.logDescription.contains("connectionError"), "\(error.logDescription)")
            #expect(error.logDescription.lowercased().contains("connection refused"), "\(error.logDescription)")
        }

        try await TestApp.run { _, fixtures in
            do {
                _ = try await fixtures.database.client.query("SELECT * FROM no_such_table", logger: fixtures.database.logger).collect()
                Issue.record("a query of a missing table succeeded")
            } catch {
                #expect(error.logDescription == #"database error: relation "no_such_table" does not exist (SQLSTATE 42P01)"#)
            }
        }
        #expect(CancellationError().logDescription == String(describing: CancellationError()))
    }
}
