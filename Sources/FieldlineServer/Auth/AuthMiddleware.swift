import Crypto
import FieldlineDomain
import Foundation
import Hummingbird

/// Authenticates `Authorization: Bearer …`: an API key (`fl_live_…`) or an agent JWT.
/// Routes behind it answer 401 without a valid credential, never saying which part was wrong.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let tokens: TokenService
    let credentials: any CredentialsRepository
    /// Users' current roles and states (a token's role may be stale).
    let accounts: AccountCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization],
              header.count > 7, header.prefix(7).lowercased() == "bearer "
        else { throw APIError.unauthorized }
        let credential = String(header.dropFirst(7)).trimmingWhitespace()
        guard let principal = try await principal(forCredential: credential) else { throw APIError.unauthorized }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = .string(principal.reference)
        context.logger[metadataKey: "tenant"] = .string(principal.tenantID.uuidString.lowercased())
        return try await next(request, context)
    }

    /// The caller a bearer credential (API key or agent JWT) names, or nil when it is invalid.
    /// Also used by the stream, which accepts the credential in `?access_token=`.
    func principal(forCredential credential: String) async throws -> Principal? {
        if credential.hasPrefix(APIKeyToken.marker) {
            guard let token = APIKeyToken(parsing: credential) else { return nil }
            return try await credentials.principal(forAPIKeyHash: Self.hash(token))
        }
        guard let signed = await tokens.verify(credential), let userID = signed.userID else { return nil }
        return try await current(signed, userID: userID)
    }

    /// The token's user as their account stands now: nil when disabled or deleted, with the
    /// current role (not the one the token was issued with).
    func current(_ signed: Principal, userID: UUID) async throws -> Principal? {
        let state = try await accounts.state(of: userID) {
            try await credentials.account(userID: userID, tenantID: signed.tenantID)
        }
        guard let state, !state.disabled else { return nil }
        return .user(userID, tenantID: signed.tenantID, role: state.role)
    }

    /// SHA-256 of the key: high-entropy secrets need no slow hash, and lookups stay fast.
    static func hash(_ token: APIKeyToken) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.secret.utf8)))
    }
}
