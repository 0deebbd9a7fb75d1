import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// `AdaptersRepository` on PostgreSQL.
struct PostgresAdaptersRepository: AdaptersRepository {
    let database: Database
    let cipher: CredentialCipher

    /// Name of the organization unknown senders join when the admin names none.
    static let unverifiedOrganizationName = "Unverified contacts"

    func create(provider: ChannelProvider, name: String, secrets: AdapterSecrets, config: [String: String],
                unverifiedOrganizationID: UUID?, tenantID: UUID) async throws -> Adapter {
        let id = UUIDv7.make()
        let sealed = ByteBuffer(bytes: try cipher.seal(Array(try JSONEncoder().encode(secrets)), adapterID: id))
        let configJSON = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        return try await database.withTenant(tenantID) { connection in
            let organizationID = try await unverifiedOrganization(unverifiedOrganizationID, tenantID: tenantID, connection)
            let rows = try await connection.query("""
                INSERT INTO adapters (tenant_id, id, provider, name, credentials, config, unverified_organization_id)
                VALUES (\(tenantID), \(id), \(provider.rawValue), \(name), \(sealed), \(configJSON)::jsonb, \(organizationID))
                RETURNING \(unescaped: Adapter.columns)
                """, logger: database.logger)
            guard let adapter = try await rows.first(Adapter.init(row:)) else { throw MissingRowError(what: "new adapter") }
            // The global look-up, written here rather than by a trigger so it also holds on
            // Citus (sql/089); on a single PostgreSQL the trigger wrote it already.
            try await connection.query(
                "INSERT INTO adapter_lookup (adapter_id, tenant_id) VALUES (\(id), \(tenantID)) ON CONFLICT DO NOTHING",
                logger: database.logger)
            return adapter
        }
    }

    /// The given organization (which must exist), or the tenant's "Unverified contacts", made on first use.
    private func unverifiedOrganization(_ given: UUID?, tenantID: UUID, _ connection: PostgresConnection) async throws -> UUID {
        if let given {
            let exists = try await connection.query(
                "SELECT 1 FROM organizations WHERE tenant_id = \(tenantID) AND id = \(given)", logger: database.logger
            ).any()
            guard exists else {
                throw ValidationError(field: "unverified_organization_id", code: "unknown_reference", message: "unverified_organization_id names no organization")
            }
            return given
        }
        let existing = try await connection.query("""
            SELECT id FROM organizations WHERE tenant_id = \(tenantID) AND name = \(Self.unverifiedOrganizationName)
              AND tags @> ARRAY['unverified']::text[]
            ORDER BY id LIMIT 1
            """, logger: database.logger
        ).first { try $0.decode(UUID.self) }
        if let existing { return existing }
        let id = UUIDv7.make()
        try await connection.query("""
            INSERT INTO organizations (tenant_id, id, kind, name, path, tags)
            VALUES (\(tenantID), \(id), 'customer', \(Self.unverifiedOrganizationName), ARRAY[\(id)]::uuid[], ARRAY['unverified'])
            """, logger: database.logger)
        return id
    }

    func list(page: PageRequest, tenantID: UUID) async throws -> [Adapter] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: Adapter.columns) FROM adapters
                WHERE tenant_id = \(tenantID) AND (\(page.after)::uuid IS NULL OR id < \(page.after))
                ORDER BY id DESC LIMIT \(page.fetchLimit)
                """, logger: database.logger
            ).collect(Adapter.init(row:))
        }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> Adapter? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "SELECT \(unescaped: Adapter.columns) FROM adapters WHERE tenant_id = \(tenantID) AND id = \(id)",
                logger: database.logger
            ).first(Adapter.init(row:))
        }
    }

    func disable(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                UPDATE adapters SET disabled_at = coalesce(disabled_at, now()), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id
                """, logger: database.logger
            ).any()
        }
    }

    func account(for id: UUID, provider: ChannelProvider) async throws -> AdapterAccount? {
        let tenantID = try await database.client.query(
            "SELECT tenant_id FROM adapter_lookup WHERE adapter_id = \(id)", logger: database.logger
        ).first { try $0.decode(UUID.self) }
        guard let tenantID else { return nil }
        let row = try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: Adapter.columns), credentials FROM adapters
                WHERE tenant_id = \(tenantID) AND id = \(id) AND provider = \(provider.rawValue) AND disabled_at IS NULL
                """, logger: database.logger
            ).first { row -> (Adapter, ByteBuffer) in
                (try Adapter(row: row), try row.decode((UUID, String, String, String, UUID, Bool, Date, ByteBuffer).self).7)
            }
        }
        guard let (adapter, sealed) = row else { return nil }
        let plaintext = try cipher.open(Array(buffer: sealed), adapterID: id)
        let secrets = try JSONDecoder().decode(AdapterSecrets.self, from: Data(plaintext))
        return AdapterAccount(tenantID: tenantID, adapter: adapter, provider: provider, secrets: secrets)
    }
}
