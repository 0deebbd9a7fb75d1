import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// An integration's API key as listed: never the secret, only its prefix.
struct APIKey: ResponseEncodable, Sendable {
    let id: UUID
    let name: String
    let prefix: String
    let scopes: [String]
    let createdAt: Date
    let lastUsedAt: Date?
    let revokedAt: Date?

    static let columns = "id, name, prefix, scopes, created_at, last_used_at, revoked_at"

    init(row: PostgresRow) throws {
        (id, name, prefix, scopes, createdAt, lastUsedAt, revokedAt) =
            try row.decode((UUID, String, String, [String], Date, Date?, Date?).self)
    }
}

/// A key just created: the one time its secret is shown.
struct CreatedAPIKey: ResponseEncodable, Sendable {
    let id: UUID
    let name: String
    let prefix: String
    let scopes: [String]
    let createdAt: Date
    /// The full secret (`fl_live_…`); it cannot be shown again.
    let key: String
}

/// Storage of API keys within a tenant.
protocol APIKeysRepository: Sendable {
    /// Creates a key and returns it with its secret.
    func create(name: String, scopes: [Permission], tenantID: UUID) async throws -> CreatedAPIKey
    /// Keys, newest first.
    func list(page: PageRequest, tenantID: UUID) async throws -> [APIKey]
    /// Revokes a key; false when unknown.
    func revoke(_ id: UUID, tenantID: UUID) async throws -> Bool
}

/// `APIKeysRepository` on PostgreSQL; only the SHA-256 of each secret is stored.
struct PostgresAPIKeysRepository: APIKeysRepository {
    let database: Database

    func create(name: String, scopes: [Permission], tenantID: UUID) async throws -> CreatedAPIKey {
        let token = APIKeyToken.generate()
        let hash = ByteBuffer(bytes: AuthMiddleware.hash(token))
        let id = UUIDv7.make()
        let scopeNames = scopes.map(\.rawValue)
        return try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query("""
                INSERT INTO api_keys (tenant_id, id, name, key_hash, prefix, scopes)
                VALUES (\(tenantID), \(id), \(name), \(hash), \(token.prefix), \(scopeNames))
                RETURNING created_at
                """, logger: database.logger)
            guard let createdAt = try await rows.first({ try $0.decode(Date.self) }) else {
                throw MissingRowError(what: "new API key")
            }
            // The global look-up, written here rather than by a trigger so it also holds on
            // Citus (sql/089); on a single PostgreSQL the trigger wrote it already.
            try await connection.query(
                "INSERT INTO api_key_lookup (key_hash, tenant_id) VALUES (\(hash), \(tenantID)) ON CONFLICT DO NOTHING",
                logger: database.logger)
            return CreatedAPIKey(id: id, name: name, prefix: token.prefix, scopes: scopeNames, createdAt: createdAt, key: token.secret)
        }
    }

    func list(page: PageRequest, tenantID: UUID) async throws -> [APIKey] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: APIKey.columns) FROM api_keys
                WHERE tenant_id = \(tenantID) AND (\(page.after)::uuid IS NULL OR id < \(page.after))
                ORDER BY id DESC LIMIT \(page.fetchLimit)
                """, logger: database.logger
            ).collect(APIKey.init(row:))
        }
    }

    func revoke(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
                WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id
                """, logger: database.logger
            ).any()
        }
    }
}
