import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
@testable import FieldlineServer

/// The application's router, built with a database client that is never run: for tests that
/// look at the route table only.
func inspectionRouter() async throws -> Router<AppRequestContext> {
    let settings = try DatabaseSettings(url: "postgres://nobody@127.0.0.1:1/none")
    let config = testConfig(database: settings)
    let client = PostgresClient(configuration: settings.clientConfiguration(poolSize: 1), backgroundLogger: TestDatabase.logger)
    let dependencies = AppDependencies(
        config: config, database: Database(client: client, logger: TestDatabase.logger),
        migrations: try MigrationFile.load(from: config.sqlDir),
        tokens: await TokenService(secret: config.jwtSecret, ttl: config.jwtTTL),
        metrics: PrometheusCollectorRegistry(), passwordHasher: PasswordHasher(cost: 4))
    return try await buildRouter(dependencies)
}
