import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// Someone who signs in: an agent, supervisor or admin. The password hash never leaves the
/// repository.
struct User: ResponseEncodable, Sendable {
    let id: UUID
    let organizationId: UUID?
    let email: String
    let name: String
    let role: UserRole
    let disabled: Bool
    let lastLoginAt: Date?
    let createdAt: Date
    let updatedAt: Date

    static let columns = "id, organization_id, email, name, role, disabled_at IS NOT NULL, last_login_at, created_at, updated_at"

    init(row: PostgresRow) throws {
        let (id, organizationID, email, name, role, disabled, lastLoginAt, createdAt, updatedAt) =
            try row.decode((UUID, UUID?, String, String, String, Bool, Date?, Date, Date).self)
        self.id = id
        self.organizationId = organizationID
        self.email = email
        self.name = name
        self.role = UserRole(rawValue: role) ?? .agent
        self.disabled = disabled
        self.lastLoginAt = lastLoginAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A validated new user with an already-hashed password.
struct NewUser: Sendable {
    let email: String
    let name: String
    let role: UserRole
    let passwordHash: String
    let organizationID: UUID?
}

/// Changes to a user; nil fields stay as they are.
struct UserChanges: Sendable {
    var name: String?
    var role: UserRole?
    var passwordHash: String?
    var disabled: Bool?
    var organizationID: FieldUpdate<UUID> = .unchanged
}

/// Rules for passwords people choose.
enum PasswordPolicy {
    /// Checks length bounds (bcrypt reads at most 72 bytes).
    static func validate(_ password: String, field: String = "password") throws -> String {
        guard password.count >= 12 else {
            throw ValidationError(field: field, message: "\(field) must be at least 12 characters")
        }
        // bcrypt stops at U+0000: "\0anything" would be the empty password.
        guard !password.utf8.contains(0) else {
            throw ValidationError(field: field, code: "invalid_character", message: "\(field) must not contain the NUL character (U+0000)")
        }
        guard password.utf8.count <= 72 else {
            throw ValidationError(field: field, message: "\(field) must be at most 72 bytes")
        }
        return password
    }
}
