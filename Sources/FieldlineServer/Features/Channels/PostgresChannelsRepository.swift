import FieldlineDomain
import Foundation
import PostgresNIO

/// `ChannelsRepository` on PostgreSQL: channels and participants (posts are in `+Posts`).
struct PostgresChannelsRepository: ChannelsRepository {
    let database: Database

    var logger: Logger { database.logger }

    func create(_ channel: NewChannel, handle: String?, viewer: Viewer) async throws -> Channel {
        let tenantID = viewer.tenantID
        return try await mappingHandleTaken { try await database.withTenant(tenantID) { connection in
            let id = UUIDv7.make()
            switch channel {
            case .hierarchical(let name, let organizationID, let kinds, let tags):
                try await requireOrganizations([organizationID], field: "organization_id", tenantID: tenantID, connection)
                try await connection.query("""
                    INSERT INTO channels (tenant_id, id, kind, name, organization_id, kinds, tags, created_by, handle)
                    VALUES (\(tenantID), \(id), 'hierarchical', \(name), \(organizationID), \(kinds.map(\.rawValue)), \(tags), \(viewer.userID), \(handle))
                    """, logger: logger)
            case .horizontal(let name, let organizationIDs):
                try await requireOrganizations(organizationIDs, field: "organization_ids", tenantID: tenantID, connection)
                try await requirePeers(organizationIDs, tenantID: tenantID, connection)
                try await connection.query("""
                    INSERT INTO channels (tenant_id, id, kind, name, created_by, handle)
                    VALUES (\(tenantID), \(id), 'horizontal', \(name), \(viewer.userID), \(handle))
                    """, logger: logger)
                try await connection.query("""
                    INSERT INTO channel_participants (tenant_id, channel_id, organization_id)
                    SELECT \(tenantID), \(id), unnest(\(organizationIDs)::uuid[])\(unescaped: CitusWrites.returning("organization_id"))
                    """, logger: logger)
            }
            guard let created = try await fetch(id, tenantID: tenantID, connection) else { throw MissingRowError(what: "new channel") }
            return created
        } }
    }

    func update(_ id: UUID, name: String?, handle: FieldUpdate<String>, tenantID: UUID) async throws -> Channel? {
        let setHandle: Bool = if case .set = handle { true } else { false }
        return try await mappingHandleTaken { try await database.withTenant(tenantID) { connection in
            if handle.applied(to: nil) != nil {
                // Members speak only in horizontal channels; clearing an older handle stays allowed.
                let kind = try await connection.query(
                    "SELECT kind FROM channels WHERE tenant_id = \(tenantID) AND id = \(id) FOR UPDATE", logger: logger
                ).first { try $0.decode(String.self) }
                guard let kind else { return nil }
                if kind == ChannelKind.hierarchical.rawValue {
                    throw ValidationError(field: "handle", code: "not_allowed", message: "handle is for horizontal channels")
                }
            }
            let updated = try await connection.query("""
                UPDATE channels SET name = coalesce(\(name), name),
                    handle = CASE WHEN \(setHandle) THEN \(handle.applied(to: nil)) ELSE handle END
                WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id
                """, logger: logger
            ).any()
            return updated ? try await fetch(id, tenantID: tenantID, connection) : nil
        } }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> Channel? {
        try await database.withTenant(tenantID) { try await fetch(id, tenantID: tenantID, $0) }
    }

    func list(kind: ChannelKind?, page: PageRequest, tenantID: UUID) async throws -> [Channel] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(columns: Channel.columns, tenant: tenantID) FROM channels ch
                WHERE ch.tenant_id = \(tenantID) AND (\(kind?.rawValue)::text IS NULL OR ch.kind = \(kind?.rawValue))
                  AND (\(page.after)::uuid IS NULL OR ch.id < \(page.after))
                ORDER BY ch.id DESC LIMIT \(page.fetchLimit)
                """, logger: logger
            ).collect(Channel.init(row:))
        }
    }

    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            // Its posts go with it (cascade); the messages that delivered them stay, unlinked
            // first in this transaction: no ON DELETE SET NULL (sql/081).
            try await connection.query("""
                UPDATE messages SET channel_post_id = NULL
                WHERE tenant_id = \(tenantID) AND channel_post_id IN (
                    SELECT id FROM channel_posts WHERE tenant_id = \(tenantID) AND channel_id = \(id))
                """, logger: logger)
            return try await connection.query(
                "DELETE FROM channels WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: logger
            ).any()
        }
    }

    func fetch(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> Channel? {
        try await connection.query("""
            SELECT \(columns: Channel.columns, tenant: tenantID) FROM channels ch WHERE ch.tenant_id = \(tenantID) AND ch.id = \(id)
            """, logger: logger
        ).first(Channel.init(row:))
    }

    /// A handle another channel of the tenant already has is a 409.
    private func mappingHandleTaken<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("handle_taken", "another channel already uses this handle", field: "handle")
        }
    }

    /// Every id names an organization of the tenant, or a 422 naming the first unknown one.
    private func requireOrganizations(_ ids: [UUID], field: String, tenantID: UUID, _ connection: PostgresConnection) async throws {
        let unknown = try await connection.query("""
            SELECT i.id FROM unnest(\(ids)::uuid[]) AS i(id)
            WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.tenant_id = \(tenantID) AND o.id = i.id)
            LIMIT 1
            """, logger: logger
        ).first { try $0.decode(UUID.self) }
        if let unknown {
            throw ValidationError(field: field, code: "unknown_organization", message: "no organization \(unknown.uuidString.lowercased()) in this network")
        }
    }

    /// A horizontal channel is between peers: each participant has a relation with another one.
    private func requirePeers(_ ids: [UUID], tenantID: UUID, _ connection: PostgresConnection) async throws {
        let loner = try await connection.query("""
            SELECT i.id FROM unnest(\(ids)::uuid[]) AS i(id)
            WHERE NOT EXISTS (
                SELECT 1 FROM organization_relations r
                WHERE r.tenant_id = \(tenantID)
                  AND ((r.organization_id = i.id AND r.peer_id = ANY(\(ids)::uuid[]))
                    OR (r.peer_id = i.id AND r.organization_id = ANY(\(ids)::uuid[]))))
            LIMIT 1
            """, logger: logger
        ).first { try $0.decode(UUID.self) }
        if let loner {
            throw ValidationError(
                field: "organization_ids", code: "not_peers",
                message: "organization \(loner.uuidString.lowercased()) has no relation with any other participant (POST /v1/organizations/{id}/relations)")
        }
    }
}
