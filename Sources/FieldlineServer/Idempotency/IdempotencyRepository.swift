import Foundation
import NIOCore

/// A response stored under an `Idempotency-Key`.
struct StoredResponse: Sendable {
    let status: Int
    let contentType: String?
    let body: ByteBuffer
}

/// What happened when a key was claimed.
enum IdempotencyClaim: Sendable {
    /// The key is new (or its first request died unfinished): run the request, then store or release it.
    case claimed
    /// The same request ran before: answer with its response.
    case replay(StoredResponse)
    /// The key was used for a different request.
    case mismatch
    /// The first request with this key has not finished.
    case inProgress
}

/// Storage of idempotency keys per tenant and caller.
protocol IdempotencyRepository: Sendable {
    /// Claims `key` for a request with `requestHash`, or reports what is already stored. A claim
    /// left unfinished for longer than the in-progress bound (its server died) is taken over.
    func claim(key: String, requestHash: [UInt8], principal: Principal) async throws -> IdempotencyClaim
    /// Stores the response of a claimed key.
    func complete(key: String, principal: Principal, response: StoredResponse) async throws
    /// Forgets a claimed key whose request failed, so it can be retried.
    func release(key: String, principal: Principal) async throws
    /// Runs a request whose work is one transaction in that same transaction with its key:
    /// `body` gets the claim and returns its answer and the response to store (nil: none). The
    /// claim, the work and the stored response commit together or not at all.
    func inWorkTransaction<T: Sendable>(
        key: String, requestHash: [UInt8], principal: Principal,
        _ body: (IdempotencyClaim) async throws -> (T, StoredResponse?)
    ) async throws -> T
}
