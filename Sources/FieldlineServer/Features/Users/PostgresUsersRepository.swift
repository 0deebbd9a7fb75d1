import FieldlineDomain
import Foundation
import PostgresNIO

/// `UsersRepository` on PostgreSQL.
struct PostgresUsersRepository: UsersRepository {
    let database: Database

    func create(_ new: NewUser, tenantID: UUID) async throws -> User {
        do {
            return try await database.withTenant(tenantID) { connection in
                let rows = try await connection.query("""
                    INSERT INTO users (tenant_id, id, organization_id, email, name, role, password_hash)
                    VALUES (\(tenantID), \(UUIDv7.make()), \(new.organizationID), \(new.email), \(new.name), \(new.role.rawValue), \(new.passwordHash))
                    RETURNING \(unescaped: User.columns)
                    """, logger: database.logger)
                guard let user = try await rows.first(User.init(row:)) else { throw MissingRowError(what: "new user") }
                return user
            }
        } catch let error where error.postgresError?.isUniqueViolation == true {
            throw APIError.conflict("email_taken", "a user of this tenant already has this email", field: "email")
        } catch let error where error.postgresError?.isForeignKeyViolation == true {
            throw ValidationError(field: "organization_id", code: "unknown_reference", message: "organization_id names no organization")
        }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> User? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "SELECT \(unescaped: User.columns) FROM users WHERE tenant_id = \(tenantID) AND id = \(id)",
                logger: database.logger
            ).first(User.init(row:))
        }
    }

    func list(role: UserRole?, query: String?, page: PageRequest, tenantID: UUID) async throws -> [User] {
        let pattern = query.map { "%" + PostgresOrganizationsRepository.escapeLike($0) + "%" }
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: User.columns) FROM users
                WHERE tenant_id = \(tenantID)
                  AND (\(role?.rawValue)::text IS NULL OR role = \(role?.rawValue))
                  AND (\(pattern)::text IS NULL OR name ILIKE \(pattern) OR email ILIKE \(pattern))
                  AND (\(page.after)::uuid IS NULL OR id < \(page.after))
                ORDER BY id DESC LIMIT \(page.fetchLimit)
                """, logger: database.logger
            ).collect(User.init(row:))
        }
    }

    func update(_ id: UUID, _ changes: UserChanges, tenantID: UUID) async throws -> User? {
        let (setOrganization, organizationID): (Bool, UUID?) =
            if case .set(let value) = changes.organizationID { (true, value) } else { (false, nil) }
        do {
            return try await database.withTenant(tenantID) { connection in
                try await connection.query("""
                    UPDATE users SET
                        name = coalesce(\(changes.name), name),
                        role = coalesce(\(changes.role?.rawValue), role),
                        password_hash = coalesce(\(changes.passwordHash), password_hash),
                        disabled_at = CASE WHEN \(changes.disabled)::boolean IS NULL THEN disabled_at
                                           WHEN \(changes.disabled) THEN coalesce(disabled_at, now()) ELSE NULL END,
                        organization_id = CASE WHEN \(setOrganization) THEN \(organizationID) ELSE organization_id END,
                        updated_at = now()
                    WHERE tenant_id = \(tenantID) AND id = \(id)
                    RETURNING \(unescaped: User.columns)
                    """, logger: database.logger
                ).first(User.init(row:))
            }
        } catch let error where error.postgresError?.isForeignKeyViolation == true {
            throw ValidationError(field: "organization_id", code: "unknown_reference", message: "organization_id names no organization")
        }
    }
}
