import Foundation
import HummingbirdBcrypt

/// bcrypt hashing and checking, run off the cooperative thread pool because it is deliberately
/// slow.
public struct PasswordHasher: Sendable {
    /// Work factor for new hashes.
    public let cost: UInt8

    /// A hasher with the given bcrypt cost (4–31).
    public init(cost: UInt8) {
        self.cost = cost
    }

    /// The bcrypt hash of `password`.
    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Bcrypt.hash(password, cost: cost))
            }
        }
    }

    /// Whether `password` matches `hash`. Never for a password holding U+0000, where bcrypt
    /// would stop reading (so "\0x" would match the empty password's hash).
    public func verify(_ password: String, hash: String) async -> Bool {
        guard !password.utf8.contains(0) else { return false }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Bcrypt.verify(password, hash: hash))
            }
        }
    }
}
