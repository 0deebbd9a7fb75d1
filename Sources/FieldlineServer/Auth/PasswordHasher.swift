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

    /// Whether `password` matches `hash`.
    public func verify(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Bcrypt.verify(password, hash: hash))
            }
        }
    }
}
