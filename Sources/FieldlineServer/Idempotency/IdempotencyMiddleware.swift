import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

/// `Idempotency-Key` on POST: the first successful response is stored and replayed for any
/// retry of the same request (same caller, key, path and body). A key reused for a different
/// request is a 422; a retry while the first is still running is a 409. Failed requests are not
/// stored, so they can be retried with the same key.
///
/// A server that dies mid-request must not leave its key in progress for good (issue 15). On the
/// `singleTransactionRoutes` the key, the work and the stored response share one transaction, so
/// nothing of a dead request remains and its retry does the work exactly once. Elsewhere the key
/// is claimed in a transaction of its own, and a claim older than the repository's in-progress
/// bound is taken over by the next retry.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let repository: any IdempotencyRepository

    /// The POST routes whose work is one tenant transaction (`withTenant`) with no HTTP call
    /// inside and no detached work after it. A route whose work spans transactions (ingest's
    /// batches, the proof upload, webhook endpoint checks) stays off this list.
    static let singleTransactionRoutes: Set<String> = [
        "/v1/conversations/{id}/messages", "/v1/conversations/{id}/notes", "/v1/conversations/{id}/close",
        "/v1/jobs/{id}/broadcast",
        "/v1/organizations", "/v1/members", "/v1/crews", "/v1/service-areas", "/v1/teams", "/v1/jobs",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Uploads stream to storage and cannot be held in memory to be fingerprinted: a key on a
        // multipart request is not used (docs/jobs-and-proofs.md#uploading-photos).
        let isUpload = request.headers[.contentType]?.lowercased().hasPrefix("multipart/") ?? false
        guard request.method == .post, !isUpload, let key = request.headers[.idempotencyKey], let principal = context.principal else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.count) else {
            throw APIError(.badRequest, code: "invalid_idempotency_key", message: "Idempotency-Key must be 1 to 255 characters", field: "Idempotency-Key")
        }
        var request = request
        let requestBody = try await request.collectBody(upTo: context.maxUploadSize)
        let hash = Self.fingerprint(method: request.method.rawValue, path: request.uri.path, body: requestBody)
        if let route = context.endpointPath, Self.singleTransactionRoutes.contains(route) {
            return try await repository.inWorkTransaction(key: key, requestHash: hash, principal: principal) { claim in
                if let answer = try Self.answer(claim) { return (answer, nil) }
                let response = try await next(request, context)
                // Not stored, as below; what the route did commits (a returned error rarely did anything).
                guard (200..<300).contains(response.status.code) else { return (response, nil) }
                let (stored, replayable) = try await Self.storable(response)
                return (replayable, stored)
            }
        }
        if let answer = try Self.answer(try await repository.claim(key: key, requestHash: hash, principal: principal)) {
            return answer
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await repository.release(key: key, principal: principal)
            throw error
        }
        guard (200..<300).contains(response.status.code) else {
            try await repository.release(key: key, principal: principal)
            return response
        }
        let (stored, replayable) = try await Self.storable(response)
        try await repository.complete(key: key, principal: principal, response: stored)
        return replayable
    }

    /// What identifies a request under its key: method, path and body.
    static func fingerprint(method: String, path: String, body: ByteBuffer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Data(method.utf8))
        hasher.update(data: Data(path.utf8))
        hasher.update(data: Data([0]))
        hasher.update(data: Data(buffer: body))
        return Array(hasher.finalize())
    }

    /// The answer a claim gives without running the request: a replay or an error; nil to run it.
    private static func answer(_ claim: IdempotencyClaim) throws -> Response? {
        switch claim {
        case .replay(let stored):
            // A replay may repeat a secret (a new API key's), and only the body is stored.
            var headers: HTTPFields = [.idempotentReplayed: "true", .cacheControl: "no-store"]
            if let type = stored.contentType { headers[.contentType] = type }
            return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: stored.body))
        case .mismatch:
            throw APIError(.unprocessableContent, code: "idempotency_key_reused",
                           message: "this Idempotency-Key was already used for a different request", field: "Idempotency-Key")
        case .inProgress:
            throw APIError.conflict("idempotency_key_in_progress", "a request with this Idempotency-Key is still being processed; retry shortly")
        case .claimed:
            return nil
        }
    }

    /// The response as stored, and the same response with its body in memory to send.
    private static func storable(_ response: Response) async throws -> (StoredResponse, Response) {
        let collector = CollectingBodyWriter()
        try await response.body.write(collector)
        let body = collector.storage.withLockedValue { $0 }
        var replayable = response
        replayable.body = .init(byteBuffer: body)
        return (StoredResponse(status: response.status.code, contentType: response.headers[.contentType], body: body), replayable)
    }
}

/// Gathers a response body in memory (responses of creating POSTs are small JSON documents).
/// The body writer is consumed by `write`, so the bytes land in a shared box.
struct CollectingBodyWriter: ResponseBodyWriter {
    let storage = NIOLockedValueBox(ByteBuffer())

    mutating func write(_ buffer: ByteBuffer) async throws {
        storage.withLockedValue { stored in
            var buffer = buffer
            stored.writeBuffer(&buffer)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension HTTPField.Name {
    /// `Idempotency-Key`.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `Idempotent-Replayed: true` marks a replayed response.
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
