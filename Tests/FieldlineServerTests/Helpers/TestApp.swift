import FieldlineDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import FieldlineServer

/// Configuration of a test application on its own database.
func testConfig(database: DatabaseSettings) -> AppConfig {
    var config = AppConfig(
        database: database, host: "127.0.0.1", port: 0, publicURL: "http://localhost:8080",
        jwtSecret: TestApp.jwtSecret, jwtTTL: .seconds(900), masterKey: Array(repeating: 7, count: 32),
        mediaDir: NSTemporaryDirectory() + "fieldline-media", sqlDir: TestDatabase.sqlDirectory, bcryptCost: 4,
        loginMaxFailures: 5, loginWindow: .seconds(900), databasePoolSize: 4)
    // Tests never reach the internet: unless a test starts a fake provider, sends go to a closed
    // loopback port and fail fast.
    let nowhere = "http://127.0.0.1:9"
    config.providerURLs = ProviderURLs(whatsapp: nowhere, telegram: nowhere, twilio: nowhere, messenger: nowhere)
    // Many tests make hundreds of calls with one credential in seconds; the rate limits have
    // tests of their own (RateLimitTests), which set them.
    config.rateLimits = RateLimits(apiKey: .off, user: .off, webhook: .off, appMessages: .off)
    return config
}

/// Runs a test against the real application on a fresh database.
enum TestApp {
    static let jwtSecret = "test-secret-that-is-at-least-32-bytes-long"

    static func run(
        configure: (inout AppConfig) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, Fixtures) async throws -> Void
    ) async throws {
        try await run(.router, configure: configure, body)
    }

    /// Like `run`, with the application serving on a real socket (`.live`), for WebSockets.
    static func runLive(
        configure: (inout AppConfig) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, Fixtures) async throws -> Void
    ) async throws {
        try await run(.live, configure: configure, body)
    }

    /// A fresh database with fixtures but no application, for tests that build their own
    /// applications on it (a restart, two server instances on one database).
    static func withDatabase(_ body: @Sendable (DatabaseSettings, Fixtures) async throws -> Void) async throws {
        let settings = try await TestDatabase.create()
        let config = testConfig(database: settings)
        do {
            let tokens = await TokenService(secret: config.jwtSecret, ttl: config.jwtTTL)
            try await withPostgres(settings, logger: TestDatabase.logger) { database in
                let fixtures = Fixtures(settings: settings, database: database, tokens: tokens, provisioning: Provisioning(database: database, hasher: PasswordHasher(cost: 4)))
                try await body(settings, fixtures)
            }
        } catch {
            await TestDatabase.drop(settings)
            throw error
        }
        await TestDatabase.drop(settings)
    }

    private static func run(
        _ setup: TestingSetup,
        configure: (inout AppConfig) -> Void,
        _ body: @Sendable (any TestClientProtocol, Fixtures) async throws -> Void
    ) async throws {
        let settings = try await TestDatabase.create()
        var config = testConfig(database: settings)
        configure(&config)
        do {
            let app = try await buildApplication(config: config, logger: TestDatabase.logger)
            let tokens = await TokenService(secret: config.jwtSecret, ttl: config.jwtTTL)
            try await withPostgres(settings, logger: TestDatabase.logger) { database in
                let fixtures = Fixtures(settings: settings, database: database, tokens: tokens, provisioning: Provisioning(database: database, hasher: PasswordHasher(cost: 4)))
                try await app.test(setup) { client in try await body(client, fixtures) }
            }
        } catch {
            await TestDatabase.drop(settings)
            throw error
        }
        await TestDatabase.drop(settings)
    }
}

/// Ready-made tenants and credentials for tests.
struct Fixtures: Sendable {
    let settings: DatabaseSettings
    let database: Database
    let tokens: TokenService
    let provisioning: Provisioning

    /// A tenant with one user of `role`, and a token for that user.
    func tenant(_ slug: String = "acme", role: UserRole = .admin) async throws -> TenantFixture {
        let existing = try await provisioning.tenant(slug: slug)
        let tenant = if let existing { existing } else { try await provisioning.createTenant(name: slug.capitalized, slug: slug) }
        let email = "\(role.rawValue)-\(UUID().uuidString.prefix(8).lowercased())@\(slug).test"
        let userID = try await provisioning.createUser(
            tenantID: tenant.id, email: email, name: "\(role.rawValue.capitalized) of \(slug)", role: role, password: TenantFixture.password)
        let token = try await tokens.issue(userID: userID, tenantID: tenant.id, role: role).token
        return TenantFixture(tenant: tenant, userID: userID, email: email, token: token)
    }

    /// A user of another role in an existing tenant.
    func user(in tenant: Tenant, role: UserRole) async throws -> TenantFixture {
        try await self.tenant(tenant.slug, role: role)
    }
}

/// One tenant and a signed-in user of it.
struct TenantFixture: Sendable {
    static let password = "correct horse battery staple"
    let tenant: Tenant
    let userID: UUID
    let email: String
    let token: String
}
