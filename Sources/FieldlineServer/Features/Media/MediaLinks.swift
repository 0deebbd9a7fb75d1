import Crypto
import Foundation

/// Short-lived signed links to a media file, which an ERP hands to its own users (who have no
/// Fieldline login): the token names the media and its tenant, carries its expiry, and is
/// signed with a key derived from `MASTER_KEY`, so the server needs no table to check it.
struct MediaLinks: Sendable {
    /// Longest lifetime of a link, and the default.
    static let maxLifetime = 86_400
    static let defaultLifetime = 900

    private let key: SymmetricKey

    /// Links signed with a key derived from the master key (never the master key itself).
    init(masterKey: [UInt8]) {
        key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data("fieldline media links v1".utf8), using: SymmetricKey(data: masterKey))))
    }

    /// What a valid token names.
    struct Target: Equatable {
        let mediaID: UUID
        let tenantID: UUID
        let expiresAt: Date
    }

    /// A token for `mediaID` of `tenantID` valid until `expiresAt`: base64url of the two ids,
    /// the expiry (seconds) and the HMAC-SHA256 of those 40 bytes.
    func token(mediaID: UUID, tenantID: UUID, expiresAt: Date) -> String {
        var bytes = Self.bytes(mediaID) + Self.bytes(tenantID)
        let seconds = UInt64(max(0, expiresAt.timeIntervalSince1970.rounded(.down)))
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: seconds >> (56 - 8 * $0)) }
        bytes += Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The target of a well-signed token (expired or not), or nil.
    func verify(_ token: String) -> Target? {
        var text = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard token.count <= 200, let data = Data(base64Encoded: text), data.count == 72 else { return nil }
        let bytes = Array(data)
        guard HMAC<SHA256>.isValidAuthenticationCode(bytes[40..<72], authenticating: bytes[0..<40], using: key) else { return nil }
        let seconds = bytes[32..<40].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Target(mediaID: Self.uuid(bytes[0..<16]), tenantID: Self.uuid(bytes[16..<32]), expiresAt: Date(timeIntervalSince1970: Double(seconds)))
    }

    private static func bytes(_ id: UUID) -> [UInt8] {
        withUnsafeBytes(of: id.uuid) { Array($0) }
    }

    private static func uuid(_ bytes: ArraySlice<UInt8>) -> UUID {
        let b = Array(bytes)
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
