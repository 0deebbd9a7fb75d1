import FieldlineDomain
import Foundation
import Hummingbird
import NIOCore

/// `POST /v1/auth/login`: email and password in, a short-lived agent token out.
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
        enum CodingKeys: String, CodingKey, CaseIterable { case email, password }
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
        let address = context.remoteAddress?.ipAddress
        if let seconds = try await throttle.retryAfter(account: email, address: address) {
            var error = APIError(.tooManyRequests, code: "too_many_attempts",
                                 message: "too many failed logins; try again in \(seconds) seconds")
            error.headers[.retryAfter] = String(seconds)
            throw error
        }
        let stored = try await credentials.login(email: email)
        let password = body.password
        let hash = stored?.passwordHash ?? decoyHash
        let matches = await hasher.verify(password, hash: hash)
        guard let stored, matches, !stored.disabled else {
            try await throttle.recordFailure(account: email, address: address)
            throw APIError.unauthorized
        }
        try await throttle.reset(account: email)
        try await credentials.recordLogin(userID: stored.userID, tenantID: stored.tenantID)
        let issued = try await tokens.issue(userID: stored.userID, tenantID: stored.tenantID, role: stored.role)
        let response = LoginResponse(
            token: issued.token, expiresAt: issued.expiresAt,
            user: .init(id: stored.userID, tenantId: stored.tenantID, role: stored.role))
        return EditedResponse(response: response).noStore()
    }
}
