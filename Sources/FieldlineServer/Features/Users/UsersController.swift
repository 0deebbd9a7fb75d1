import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/users`: the people who sign in. Admins create and change them; everyone can read.
struct UsersController: Sendable {
    let repository: any UsersRepository
    let hasher: PasswordHasher
    /// Forgotten on a change, so the user's next request sees it.
    let accounts: AccountCache
    /// This instance's streams; a changed user's are closed (other instances' by notification).
    let streams: StreamHub

    struct CreateRequest: RequestBody {
        let email: String
        let name: String
        let role: String
        let password: String
        let organizationId: UUID?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case email, name, role, password, organizationId = "organization_id"
        }
    }

    struct UpdateRequest: RequestBody {
        let name: String?
        let role: String?
        let password: String?
        let disabled: Bool?
        let organizationId: FieldUpdate<UUID>
        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, role, password, disabled, organizationId = "organization_id"
        }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            role = try container.decodeIfPresent(String.self, forKey: .role)
            password = try container.decodeIfPresent(String.self, forKey: .password)
            disabled = try container.decodeIfPresent(Bool.self, forKey: .disabled)
            organizationId = try container.decodeUpdate(UUID.self, forKey: .organizationId)
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("users", use: create)
        group.get("users", use: list)
        group.get("users/me", use: me)
        group.get("users/{id}", use: get)
        group.patch("users/{id}", use: update)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<User> {
        let principal = try context.require(.usersWrite)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let new = NewUser(
            email: try Validate.email(body.email),
            name: try Validate.name(body.name),
            role: try UserRole.parse(body.role, field: "role"),
            passwordHash: await hasher.hash(try PasswordPolicy.validate(body.password)),
            organizationID: body.organizationId)
        try Self.refuseAdminEscalation(by: principal, role: new.role)
        let user = try await repository.create(new, tenantID: principal.tenantID)
        return .created(user, location: "/v1/users/\(user.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<User> {
        let principal = try context.require(.usersRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let users = try await repository.list(
            role: try query.oneOf("role", UserRole.self), query: query.string("q"), page: page, tenantID: principal.tenantID)
        return Page(fetched: users, limit: page.limit, id: \.id)
    }

    /// An API key with `users:write` could otherwise make an admin and sign in as them, gaining
    /// `api_keys:manage`, which keys are never given.
    static func refuseAdminEscalation(by principal: Principal, role: UserRole) throws {
        if case .apiKey = principal.kind, role == .admin {
            throw APIError(.forbidden, code: "forbidden", message: "API keys cannot create or promote admins; an admin must do it")
        }
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> User {
        let principal = try context.requirePrincipal()
        guard principal.userID != nil else {
            throw APIError(.forbidden, code: "not_a_user", message: "/v1/users/me describes a signed-in user; this credential is an API key")
        }
        guard let userID = principal.userID, let user = try await repository.get(userID, tenantID: principal.tenantID) else {
            throw APIError.notFound("user")
        }
        return user
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> User {
        let principal = try context.require(.usersRead)
        let id = try context.parameters.uuid("id", "user")
        guard let user = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("user") }
        return user
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> User {
        let principal = try context.require(.usersWrite)
        let id = try context.parameters.uuid("id", "user")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        var changes = UserChanges()
        changes.name = try body.name.map { try Validate.name($0) }
        changes.role = try body.role.map { try UserRole.parse($0, field: "role") }
        if let password = body.password {
            changes.passwordHash = await hasher.hash(try PasswordPolicy.validate(password))
        }
        changes.disabled = body.disabled
        if let role = changes.role { try Self.refuseAdminEscalation(by: principal, role: role) }
        changes.organizationID = body.organizationId
        if principal.userID == id, changes.disabled == true || (changes.role.map { $0 != .admin } ?? false) {
            throw APIError.conflict("cannot_demote_self", "admins cannot disable or demote themselves; ask another admin")
        }
        guard let user = try await repository.update(id, changes, tenantID: principal.tenantID) else {
            throw APIError.notFound("user")
        }
        // The notification from sql/060 does this too, on every instance, a moment later.
        accounts.invalidate(id)
        if user.disabled { await streams.closeStreams(ofUser: id) }
        return user
    }
}
