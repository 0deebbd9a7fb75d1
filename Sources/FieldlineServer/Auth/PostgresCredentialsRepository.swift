import FieldlineDomain
import Foundation
import PostgresNIO

/// `CredentialsRepository` on PostgreSQL.
struct PostgresCredentialsRepository: CredentialsRepository {
    let database: Database

    func principal(forAPIKeyHash hash: [UInt8]) async throws -> Principal? {
        let bytes = ByteBuffer(bytes: hash)
        guard let tenantID = try await tenant(forAPIKeyHash: bytes) else { return nil }
        return try await database.withTenant(tenantID) { connection in
            // Touch last_used_at at most once a minute so busy integrations do not write per call.
            let rows = try await connection.query("""
                UPDATE api_keys SET last_used_at = now()
                WHERE tenant_id = \(tenantID) AND key_hash = \(bytes) AND revoked_at IS NULL
                  AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
                RETURNING id, scopes
                """, logger: database.logger)
            if let (id, scopes) = try await rows.decode((UUID, [String]).self).first(where: { _ in true }) {
                return .apiKey(id, tenantID: tenantID, scopes: scopes.compactMap(Permission.init(rawValue:)))
            }
            let current = try await connection.query("""
                SELECT id, scopes FROM api_keys
                WHERE tenant_id = \(tenantID) AND key_hash = \(bytes) AND revoked_at IS NULL
                """, logger: database.logger)
            for try await (id, scopes) in current.decode((UUID, [String]).self) {
                return .apiKey(id, tenantID: tenantID, scopes: scopes.compactMap(Permission.init(rawValue:)))
            }
            return nil
        }
    }

    private func tenant(forAPIKeyHash bytes: ByteBuffer) async throws -> UUID? {
        let rows = try await database.client.query(
            "SELECT tenant_id FROM api_key_lookup WHERE key_hash = \(bytes)", logger: database.logger)
        for try await tenantID in rows.decode(UUID.self) { return tenantID }
        return nil
    }

    func logins(email: String, tenant: String?, limit: Int) async throws -> [StoredLogin] {
        let rows = try await database.client.query("""
            SELECT l.tenant_id FROM login_lookup l JOIN tenants t ON t.id = l.tenant_id
            WHERE l.email = \(email) AND (\(tenant)::text IS NULL OR t.slug = \(tenant))
            ORDER BY t.created_at, t.id LIMIT \(limit)
            """, logger: database.logger)
        var tenantIDs: [UUID] = []
        for try await id in rows.decode(UUID.self) { tenantIDs.append(id) }
        var logins: [StoredLogin] = []
        for tenantID in tenantIDs {
            if let login = try await login(email: email, tenantID: tenantID) { logins.append(login) }
        }
        return logins
    }

    private func login(email: String, tenantID: UUID) async throws -> StoredLogin? {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query("""
                SELECT id, role, password_hash, disabled_at IS NOT NULL FROM users
                WHERE tenant_id = \(tenantID) AND email = \(email)
                """, logger: database.logger)
            for try await (id, role, hash, disabled) in rows.decode((UUID, String, String, Bool).self) {
                guard let role = UserRole(rawValue: role) else { return nil }
                return StoredLogin(tenantID: tenantID, userID: id, role: role, passwordHash: hash, disabled: disabled)
            }
            return nil
        }
    }

    func account(userID: UUID, tenantID: UUID) async throws -> AccountState? {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                "SELECT role, disabled_at IS NOT NULL FROM users WHERE tenant_id = \(tenantID) AND id = \(userID)",
                logger: database.logger)
            for try await (role, disabled) in rows.decode((String, Bool).self) {
                // A role this build does not know grants nothing.
                guard let role = UserRole(rawValue: role) else { return AccountState(role: .agent, disabled: true) }
                return AccountState(role: role, disabled: disabled)
            }
            return nil
        }
    }

    func recordLogin(userID: UUID, tenantID: UUID) async throws {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "UPDATE users SET last_login_at = now() WHERE tenant_id = \(tenantID) AND id = \(userID)",
                logger: database.logger)
        }
    }
}
