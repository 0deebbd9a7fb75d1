/// The secret string of an API key: `fl_live_` followed by 40 base-62 characters (≈ 238 bits).
///
/// Only a SHA-256 of it is stored; the first characters are kept as a `prefix` so people can
/// tell their keys apart.
public struct APIKeyToken: Sendable, Equatable {
    /// Every key starts with this, so secret scanners and people recognise it.
    public static let marker = "fl_live_"
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    private static let randomLength = 40

    /// The whole secret, shown to its creator once.
    public let secret: String

    /// Makes a new random key.
    public static func generate() -> APIKeyToken {
        var rng = SystemRandomNumberGenerator()
        let body = (0..<randomLength).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
        return APIKeyToken(validSecret: marker + String(body))
    }

    /// Accepts a string only if it has the shape of one of our keys.
    public init?(parsing candidate: String) {
        guard candidate.hasPrefix(Self.marker) else { return nil }
        let body = candidate.dropFirst(Self.marker.count)
        guard body.count == Self.randomLength, body.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        secret = candidate
    }

    private init(validSecret: String) {
        secret = validSecret
    }

    /// The part that may be displayed: the marker and four characters.
    public var prefix: String { String(secret.prefix(Self.marker.count + 4)) }
}
