import ArgumentParser
import FieldlineServer
import Hummingbird
import Logging

/// `fieldline serve`: run the HTTP API until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API (HOST:PORT, default 127.0.0.1:8080).")

    @Flag(help: "Apply pending migrations before accepting requests.")
    var migrate = false

    func run() async throws {
        let config = try AppConfig.fromEnvironment()
        var logger = Logger(label: "fieldline")
        logger.logLevel = CommandEnvironment.logLevel
        let app = try await buildApplication(config: config, migrateOnStart: migrate, logger: logger)
        do {
            try await app.runService()
        } catch is CancellationError {
            // A graceful shutdown (SIGINT/SIGTERM) that cancelled a sleeping service.
        }
    }
}
