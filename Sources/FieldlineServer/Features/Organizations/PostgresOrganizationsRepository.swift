import FieldlineDomain
import Foundation
import PostgresNIO

/// `OrganizationsRepository` on PostgreSQL. The hierarchy is a materialised `path` (uuid[]),
/// so subtree and ancestor reads are one indexed query. Changes to the tree take a per-tenant
/// advisory lock so two concurrent moves can never build a cycle.
struct PostgresOrganizationsRepository: OrganizationsRepository {
    let database: Database

    private var logger: Logger { database.logger }

    func create(_ new: NewOrganization, tenantID: UUID) async throws -> Organization {
        try await database.withTenant(tenantID) { connection in
            try await lockTree(connection, tenantID: tenantID, exclusive: false)
            var parentPath: [UUID]?
            if let parentID = new.parentID {
                parentPath = try await path(of: parentID, tenantID: tenantID, connection)
                guard parentPath != nil else {
                    throw ValidationError(field: "parent_id", code: "unknown_reference", message: "parent_id names no organization")
                }
            }
            let id = UUIDv7.make()
            let path = try Hierarchy.path(for: id, under: parentPath)
            let rows = try await connection.query("""
                INSERT INTO organizations (tenant_id, id, kind, name, parent_id, path, tags, external_ref)
                VALUES (\(tenantID), \(id), \(new.kind.rawValue), \(new.name), \(new.parentID), \(path), \(new.tags), \(new.externalRef))
                RETURNING \(unescaped: Organization.columns)
                """, logger: logger)
            guard let organization = try await rows.first(Organization.init(row:)) else {
                throw MissingRowError(what: "new organization")
            }
            return organization
        }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> Organization? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: Organization.columns) FROM organizations
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger).first(Organization.init(row:))
        }
    }

    func list(_ filter: OrganizationFilter, page: PageRequest, tenantID: UUID) async throws -> [Organization] {
        let pattern = filter.nameContains.map { "%" + Self.escapeLike($0) + "%" }
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: Organization.columns) FROM organizations
                WHERE tenant_id = \(tenantID)
                  AND (\(filter.kind?.rawValue)::text IS NULL OR kind = \(filter.kind?.rawValue))
                  AND (\(filter.parentID)::uuid IS NULL OR parent_id = \(filter.parentID))
                  AND (\(filter.tag)::text IS NULL OR tags @> ARRAY[\(filter.tag)]::text[])
                  AND (\(pattern)::text IS NULL OR name ILIKE \(pattern))
                  AND (\(filter.updatedSince)::timestamptz IS NULL OR updated_at >= \(filter.updatedSince))
                  AND (\(page.after)::uuid IS NULL OR id < \(page.after))
                ORDER BY id DESC LIMIT \(page.fetchLimit)
                """, logger: logger).collect(Organization.init(row:))
        }
    }

    func update(_ id: UUID, _ changes: OrganizationChanges, tenantID: UUID) async throws -> Organization? {
        try await database.withTenant(tenantID) { connection in
            if case .set(let newParent) = changes.parent {
                try await lockTree(connection, tenantID: tenantID, exclusive: true)
                guard try await path(of: id, tenantID: tenantID, connection) != nil else { return nil }
                try await move(id, under: newParent, tenantID: tenantID, connection)
            }
            let (setExternalRef, externalRef): (Bool, String?) =
                if case .set(let value) = changes.externalRef { (true, value) } else { (false, nil) }
            return try await connection.query("""
                UPDATE organizations SET
                    name = coalesce(\(changes.name), name),
                    tags = coalesce(\(changes.tags), tags),
                    external_ref = CASE WHEN \(setExternalRef) THEN \(externalRef) ELSE external_ref END,
                    updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING \(unescaped: Organization.columns)
                """, logger: logger).first(Organization.init(row:))
        }
    }

    private func move(_ id: UUID, under newParent: UUID?, tenantID: UUID, _ connection: PostgresConnection) async throws {
        var newParentPath: [UUID]?
        if let newParent {
            newParentPath = try await path(of: newParent, tenantID: tenantID, connection)
            guard newParentPath != nil else {
                throw ValidationError(field: "parent_id", code: "unknown_reference", message: "parent_id names no organization")
            }
        }
        let heightRows = try await connection.query("""
            SELECT coalesce(max(cardinality(path) - array_position(path, \(id))), 0)::int FROM organizations
            WHERE tenant_id = \(tenantID) AND path @> ARRAY[\(id)]::uuid[]
            """, logger: logger)
        var height = 0
        for try await value in heightRows.decode(Int.self) { height = value }
        try Hierarchy.validateMove(id: id, newParentPath: newParentPath, subtreeHeight: height)
        try await connection.query("""
            UPDATE organizations SET
                path = \(newParentPath ?? [])::uuid[] || path[array_position(path, \(id)):],
                parent_id = CASE WHEN id = \(id) THEN \(newParent) ELSE parent_id END,
                updated_at = now()
            WHERE tenant_id = \(tenantID) AND path @> ARRAY[\(id)]::uuid[]
            """, logger: logger)
    }

    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await lockTree(connection, tenantID: tenantID, exclusive: false)
            // Its channels and their posts go with it (cascade); the messages that delivered the
            // posts stay, unlinked first: no ON DELETE SET NULL (sql/081).
            try await connection.query("""
                UPDATE messages SET channel_post_id = NULL
                WHERE tenant_id = \(tenantID) AND channel_post_id IN (
                    SELECT p.id FROM channel_posts p JOIN channels ch ON ch.tenant_id = p.tenant_id AND ch.id = p.channel_id
                    WHERE p.tenant_id = \(tenantID) AND ch.tenant_id = \(tenantID) AND ch.organization_id = \(id))
                """, logger: logger)
            let rows = try await connection.query(
                "DELETE FROM organizations WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: logger)
            for try await _ in rows.decode(UUID.self) { return true }
            return false
        }
    }

    func subtree(of id: UUID, kind: OrganizationKind?, page: PageRequest, tenantID: UUID) async throws -> [Organization]? {
        try await database.withTenant(tenantID) { connection in
            guard try await path(of: id, tenantID: tenantID, connection) != nil else { return nil }
            return try await connection.query("""
                SELECT \(unescaped: Organization.columns) FROM organizations
                WHERE tenant_id = \(tenantID) AND path @> ARRAY[\(id)]::uuid[] AND id <> \(id)
                  AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
                  AND (\(page.after)::uuid IS NULL OR id < \(page.after))
                ORDER BY id DESC LIMIT \(page.fetchLimit)
                """, logger: logger).collect(Organization.init(row:))
        }
    }

    func ancestors(of id: UUID, tenantID: UUID) async throws -> [Organization]? {
        try await database.withTenant(tenantID) { connection in
            guard let path = try await path(of: id, tenantID: tenantID, connection) else { return nil }
            return try await connection.query("""
                SELECT \(unescaped: Organization.columns) FROM organizations
                WHERE tenant_id = \(tenantID) AND id = ANY(\(Array(path.dropLast())))
                ORDER BY cardinality(path)
                """, logger: logger).collect(Organization.init(row:))
        }
    }

    /// Serialises changes to a tenant's tree: moves take it exclusively, inserts and deletes
    /// shared, so a move never races with a child being added under a node that is moving.
    private func lockTree(_ connection: PostgresConnection, tenantID: UUID, exclusive: Bool) async throws {
        let key = "organization-tree:" + tenantID.uuidString
        if exclusive {
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(key)))", logger: logger)
        } else {
            try await connection.query("SELECT pg_advisory_xact_lock_shared(hashtext(\(key)))", logger: logger)
        }
    }

    func path(of id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> [UUID]? {
        let rows = try await connection.query(
            "SELECT path FROM organizations WHERE tenant_id = \(tenantID) AND id = \(id)", logger: logger)
        for try await path in rows.decode([UUID].self) { return path }
        return nil
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
