import FieldlineDomain
import Foundation
import PostgresNIO

/// `MembersRepository` on PostgreSQL.
struct PostgresMembersRepository: MembersRepository {
    let database: Database

    func create(_ new: NewMember, tenantID: UUID) async throws -> Member {
        try await mappingConstraints {
            try await database.withTenant(tenantID) { connection in
                let id = UUIDv7.make()
                try await connection.query("""
                    INSERT INTO members (tenant_id, id, organization_id, name, phone, email, title)
                    VALUES (\(tenantID), \(id), \(new.organizationID), \(new.name), \(new.phone), \(new.email), \(new.title))
                    """, logger: database.logger)
                for identity in new.identities {
                    try await insert(identity, memberID: id, tenantID: tenantID, connection)
                }
                guard let member = try await fetch(id, tenantID: tenantID, connection) else { throw MissingRowError(what: "new member") }
                return member
            }
        }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> Member? {
        try await database.withTenant(tenantID) { try await fetch(id, tenantID: tenantID, $0) }
    }

    func list(_ filter: MemberFilter, page: PageRequest, tenantID: UUID) async throws -> [Member] {
        let pattern = filter.nameContains.map { "%" + PostgresOrganizationsRepository.escapeLike($0) + "%" }
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(columns: Member.columns, tenant: tenantID) FROM members m
                WHERE m.tenant_id = \(tenantID)
                  AND (\(filter.organizationID)::uuid IS NULL OR m.organization_id = \(filter.organizationID))
                  AND (\(pattern)::text IS NULL OR m.name ILIKE \(pattern))
                  AND (\(filter.updatedSince)::timestamptz IS NULL OR m.updated_at >= \(filter.updatedSince))
                  AND (\(filter.crewID)::uuid IS NULL OR EXISTS (
                        SELECT 1 FROM crew_members c
                        WHERE c.tenant_id = m.tenant_id AND c.member_id = m.id AND c.crew_id = \(filter.crewID)))
                  AND (\(filter.externalID)::text IS NULL OR EXISTS (
                        SELECT 1 FROM member_identities i
                        WHERE i.tenant_id = m.tenant_id AND i.member_id = m.id AND i.external_id = \(filter.externalID)
                          AND (\(filter.identityKind?.rawValue)::text IS NULL OR i.kind = \(filter.identityKind?.rawValue))))
                  AND (\(page.after)::uuid IS NULL OR m.id < \(page.after))
                ORDER BY m.id DESC LIMIT \(page.fetchLimit)
                """, logger: database.logger
            ).collect(Member.init(row:))
        }
    }

    func update(_ id: UUID, _ changes: MemberChanges, tenantID: UUID) async throws -> Member? {
        try await mappingConstraints {
            try await database.withTenant(tenantID) { connection in
                let updated = try await connection.query("""
                    UPDATE members SET
                        organization_id = coalesce(\(changes.organizationID), organization_id),
                        name = coalesce(\(changes.name), name),
                        phone = CASE WHEN \(changes.phone.isSet) THEN \(changes.phone.value) ELSE phone END,
                        email = CASE WHEN \(changes.email.isSet) THEN \(changes.email.value) ELSE email END,
                        title = CASE WHEN \(changes.title.isSet) THEN \(changes.title.value) ELSE title END,
                        updated_at = now()
                    WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id
                    """, logger: database.logger
                ).any()
                guard updated else { return nil }
                if changes.organizationID != nil {
                    // A crew is made of its own organization's members: leaving it leaves its crews.
                    try await connection.query("""
                        DELETE FROM crew_members cm USING crews c, members m
                        WHERE cm.tenant_id = \(tenantID) AND cm.member_id = \(id)
                          AND c.tenant_id = cm.tenant_id AND c.id = cm.crew_id
                          AND m.tenant_id = cm.tenant_id AND m.id = cm.member_id
                          AND c.organization_id <> m.organization_id
                        """, logger: database.logger)
                }
                return try await fetch(id, tenantID: tenantID, connection)
            }
        }
    }

    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            // Proofs and answered offers keep their record without the member, unlinked first
            // in this transaction: no ON DELETE SET NULL (sql/081).
            try await connection.query(
                "UPDATE proofs SET member_id = NULL WHERE tenant_id = \(tenantID) AND member_id = \(id)", logger: database.logger)
            try await connection.query(
                "UPDATE offers SET answered_by_member_id = NULL WHERE tenant_id = \(tenantID) AND answered_by_member_id = \(id)",
                logger: database.logger)
            return try await connection.query(
                "DELETE FROM members WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: database.logger
            ).any()
        }
    }

    func addIdentity(_ identity: NewIdentity, to memberID: UUID, tenantID: UUID) async throws -> MemberIdentity? {
        try await mappingConstraints {
            try await database.withTenant(tenantID) { connection in
                guard try await fetch(memberID, tenantID: tenantID, connection) != nil else { return nil }
                return try await insert(identity, memberID: memberID, tenantID: tenantID, connection)
            }
        }
    }

    func removeIdentity(_ identityID: UUID, from memberID: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                DELETE FROM member_identities WHERE tenant_id = \(tenantID) AND id = \(identityID) AND member_id = \(memberID)
                RETURNING id
                """, logger: database.logger
            ).any()
        }
    }

    @discardableResult
    private func insert(_ identity: NewIdentity, memberID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> MemberIdentity {
        let id = UUIDv7.make()
        try await connection.query("""
            INSERT INTO member_identities (tenant_id, id, member_id, kind, external_id)
            VALUES (\(tenantID), \(id), \(memberID), \(identity.kind.rawValue), \(identity.externalID))
            """, logger: database.logger)
        return MemberIdentity(id: id, kind: identity.kind, externalId: identity.externalID)
    }

    private func fetch(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> Member? {
        try await connection.query(
            "SELECT \(columns: Member.columns, tenant: tenantID) FROM members m WHERE m.tenant_id = \(tenantID) AND m.id = \(id)",
            logger: database.logger
        ).first(Member.init(row:))
    }

    private func mappingConstraints<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("identity_taken", "this identity already belongs to a member of this tenant", field: "external_id")
        } catch let error where error.postgresError?.isForeignKeyViolation == true {
            throw ValidationError(field: "organization_id", code: "unknown_reference", message: "organization_id names no organization")
        }
    }
}

extension FieldUpdate {
    /// Whether the request set this field (possibly to null).
    var isSet: Bool { if case .set = self { true } else { false } }
    /// The value set, or nil for absent or null.
    var value: Value? { if case .set(let value) = self { value } else { nil } }
}
