import FieldlineDomain
import Foundation
import PostgresNIO

/// A tenant: one customer account.
public struct Tenant: Sendable, Equatable {
    /// Its id; every row of the tenant carries it.
    public let id: UUID
    /// Display name.
    public let name: String
    /// Short unique handle used by the CLI.
    public let slug: String
}

/// Operator tasks behind the CLI (and the tests' fixtures): create tenants, users and API keys
/// without going through an authenticated API call.
public struct Provisioning: Sendable {
    let database: Database
    let hasher: PasswordHasher

    /// Works on `database`, hashing passwords with `hasher`.
    public init(database: Database, hasher: PasswordHasher) {
        self.database = database
        self.hasher = hasher
    }

    /// Creates a tenant; the slug must be new.
    public func createTenant(name: String, slug: String) async throws -> Tenant {
        let name = try Validate.name(name)
        let slug = slug.trimmingWhitespace().lowercased()
        guard slug.range(of: "^[a-z0-9][a-z0-9-]{1,62}$", options: .regularExpression) != nil else {
            throw ValidationError(field: "slug", message: "slug must be 2–63 lowercase letters, digits or dashes")
        }
        let id = UUIDv7.make()
        do {
            try await database.transaction { connection in
                try await connection.query("INSERT INTO tenants (id, name, slug) VALUES (\(id), \(name), \(slug))", logger: database.logger)
                try await connection.setLocal("app.tenant_id", to: id.uuidString, logger: database.logger)
                try await Self.seedFlows(tenantID: id, connection, logger: database.logger)
            }
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw ValidationError(field: "slug", code: "slug_taken", message: "a tenant with slug '\(slug)' already exists")
        }
        return Tenant(id: id, name: name, slug: slug)
    }

    /// The flows every tenant starts with (docs/flows.md): the proof-of-service flow, editable.
    static func seedFlows(tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws {
        let draft = FlowDraft(
            name: DefaultFlows.proofOfServiceName, enabled: true,
            triggers: try FlowTrigger.validate(DefaultFlows.proofOfServiceTriggers, for: DefaultFlows.proofOfService),
            definition: DefaultFlows.proofOfService)
        _ = try await PostgresFlowsRepository.insert(draft, createdBy: "system", tenantID: tenantID, connection, logger: logger)
    }

    /// The tenant with this slug, if any.
    public func tenant(slug: String) async throws -> Tenant? {
        try await database.client.query(
            "SELECT id, name, slug FROM tenants WHERE slug = \(slug.lowercased())", logger: database.logger
        ).first { row in
            let (id, name, slug) = try row.decode((UUID, String, String).self)
            return Tenant(id: id, name: name, slug: slug)
        }
    }

    /// Whether the tenant is in development mode: its webhooks (and flows' API calls) may reach
    /// private and loopback addresses, for a receiver on a developer's machine (docs/events.md).
    public func developmentMode(tenantID: UUID) async throws -> Bool {
        try await database.client.query(
            "SELECT development_mode FROM tenants WHERE id = \(tenantID)", logger: database.logger
        ).first { try $0.decode(Bool.self) } ?? false
    }

    /// Turns the tenant's development mode on or off; it applies to the next request or delivery.
    public func setDevelopmentMode(tenantID: UUID, _ enabled: Bool) async throws {
        try await database.client.query(
            "UPDATE tenants SET development_mode = \(enabled) WHERE id = \(tenantID)", logger: database.logger)
    }

    /// Creates a user with a password; returns the user's id.
    public func createUser(tenantID: UUID, email: String, name: String, role: UserRole, password: String) async throws -> UUID {
        let new = NewUser(
            email: try Validate.email(email), name: try Validate.name(name), role: role,
            passwordHash: await hasher.hash(try PasswordPolicy.validate(password)), organizationID: nil)
        return try await PostgresUsersRepository(database: database).create(new, tenantID: tenantID).id
    }

    /// Creates an API key; returns its id and the secret, which cannot be shown again.
    public func createAPIKey(tenantID: UUID, name: String, scopes: [String]) async throws -> (id: UUID, secret: String) {
        let key = try await PostgresAPIKeysRepository(database: database).create(
            name: try Validate.name(name, maxLength: 100), scopes: try APIKeyScope.parse(scopes), tenantID: tenantID)
        return (key.id, key.key)
    }
}
