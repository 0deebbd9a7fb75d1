import FieldlineDomain
import Foundation
import JWTKit

/// Issues and verifies the short-lived agent tokens (HS256 JWTs).
public struct TokenService: Sendable {
    /// What an agent token says.
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        /// Tenant id.
        var tid: String
        /// User role.
        var role: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    /// A token and when it stops working.
    public struct Issued: Sendable {
        /// The bearer token.
        public let token: String
        /// Its expiry.
        public let expiresAt: Date
    }

    private let keys: JWTKeyCollection
    private let ttl: Duration

    /// A service signing with `secret` (validated to be at least 32 bytes by `AppConfig`).
    public init(secret: String, ttl: Duration) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.ttl = ttl
    }

    /// Signs a token for a user.
    public func issue(userID: UUID, tenantID: UUID, role: UserRole, now: Date = Date()) async throws -> Issued {
        let expiresAt = now.addingTimeInterval(TimeInterval(ttl.components.seconds))
        let claims = Claims(
            sub: .init(value: userID.uuidString.lowercased()), exp: .init(value: expiresAt),
            iat: .init(value: now), tid: tenantID.uuidString.lowercased(), role: role.rawValue)
        return Issued(token: try await keys.sign(claims), expiresAt: expiresAt)
    }

    /// The user a token names, or nil when it is invalid, expired or malformed.
    public func verify(_ token: String) async -> Principal? {
        guard let claims = try? await keys.verify(token, as: Claims.self),
              let userID = UUID(uuidString: claims.sub.value),
              let tenantID = UUID(uuidString: claims.tid),
              let role = UserRole(rawValue: claims.role)
        else { return nil }
        return .user(userID, tenantID: tenantID, role: role)
    }
}
