import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

/// `Idempotency-Key` on POST: the first successful response is stored and replayed for any
/// retry of the same request (same caller, key, path and body). A key reused for a different
/// request is a 422; a retry while the first is still running is a 409. Failed requests are not
/// stored, so they can be retried with the same key.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let repository: any IdempotencyRepository

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
        var hasher = SHA256()
        hasher.update(data: Data(request.method.rawValue.utf8))
        hasher.update(data: Data((request.uri.path).utf8))
        hasher.update(data: Data([0]))
        hasher.update(data: Data(buffer: requestBody))
        switch try await repository.claim(key: key, requestHash: Array(hasher.finalize()), principal: principal) {
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
            break
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
        let collector = CollectingBodyWriter()
        try await response.body.write(collector)
        let body = collector.storage.withLockedValue { $0 }
        let stored = StoredResponse(status: response.status.code, contentType: response.headers[.contentType], body: body)
        try await repository.complete(key: key, principal: principal, response: stored)
        var replayable = response
        replayable.body = .init(byteBuffer: body)
        return replayable
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
