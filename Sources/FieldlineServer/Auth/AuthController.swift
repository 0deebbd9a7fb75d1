import FieldlineDomain
import Foundation
import Hummingbird
import NIOCore

/// `POST /v1/auth/login`: email and password in, a short-lived agent token out. Emails are
/// unique per tenant, so one email may sign in to several tenants: the account is the one whose
/// password matches, and `tenant` (a slug) chooses when several match.
struct AuthController: Sendable {
    let credentials: any CredentialsRepository
    let tokens: TokenService
    let throttle: LoginThrottle
    let hasher: PasswordHasher
    /// A real bcrypt hash checked when the email is unknown, so timing does not reveal accounts.
    let decoyHash: String

    struct LoginRequest: RequestBody {
        let email: String
        let password: String
        /// The tenant's slug; needed only when the email and password open accounts in several.
        let tenant: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case email, password, tenant }
    }

    struct LoginResponse: ResponseEncodable {
        struct User: Encodable {
            let id: UUID
            let tenantId: UUID
            let role: UserRole
        }
        let token: String
        let tokenType = "Bearer"
        let expiresAt: Date
        let user: User
    }

    /// Accounts of one email checked per login (each costs a bcrypt check).
    static let maxAccountsPerEmail = 5

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("auth/login", use: login)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<LoginResponse> {
        let body = try await JSONBody.decode(LoginRequest.self, from: request, context: context)
        let email = body.email.trimmingWhitespace().lowercased()
        // No account has a longer email, and the throttle's index could not hold one.
        guard Validate.fitsEmail(email) else {
            throw ValidationError(field: "email", message: "email must be at most \(Validate.maxEmailLength) characters")
        }
        let address = context.clientAddress?.description
        if let seconds = try await throttle.retryAfter(account: email, address: address) {
            var error = APIError(.tooManyRequests, code: "too_many_attempts",
                                 message: "too many failed logins; wait \(seconds) seconds before trying again")
            error.headers[.retryAfter] = String(seconds)
            throw error
        }
        let tenant = try body.tenant.map { try Validate.name($0.lowercased(), field: "tenant", maxLength: 63) }
        let candidates = try await credentials.logins(email: email, tenant: tenant, limit: Self.maxAccountsPerEmail)
        var matching: [StoredLogin] = []
        // Each candidate is checked (a decoy when there is none), so an unknown email costs the
        // same as a known one with a wrong password.
        for candidate in candidates {
            let matches = await hasher.verify(body.password, hash: candidate.passwordHash)
            if matches, !candidate.disabled { matching.append(candidate) }
        }
        if candidates.isEmpty { _ = await hasher.verify(body.password, hash: decoyHash) }
        guard let stored = matching.first else {
            try await throttle.recordFailure(account: email, address: address)
            throw APIError.unauthorized
        }
        // Only someone who knows a password of this email learns that it opens several tenants.
        guard matching.count == 1 else {
            throw APIError.conflict("tenant_required", "this email and password sign in to more than one tenant; add \"tenant\" with the tenant's slug", field: "tenant")
        }
        try await throttle.recordSuccess(account: email, address: address)
        try await credentials.recordLogin(userID: stored.userID, tenantID: stored.tenantID)
        let issued = try await tokens.issue(userID: stored.userID, tenantID: stored.tenantID, role: stored.role)
        let response = LoginResponse(
            token: issued.token, expiresAt: issued.expiresAt,
            user: .init(id: stored.userID, tenantId: stored.tenantID, role: stored.role))
        return EditedResponse(response: response).noStore()
    }
}
