import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One structured log line per request, tagged with a request id that is also returned in
/// `X-Request-Id` (a well-formed incoming one is kept, so ids follow a call across systems).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = Self.incomingID(request) ?? context.id
        context.logger[metadataKey: "request_id"] = .string(requestID)
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        response.headers[.requestID] = requestID
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "route": .string(context.endpointPath ?? "unmatched"),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.2f", elapsed.milliseconds)),
        ])
        return response
    }

    private static func incomingID(_ request: Request) -> String? {
        guard let value = request.headers[.requestID], (1...128).contains(value.count),
              value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:".contains($0) })
        else { return nil }
        return value
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`.
    static let requestID = HTTPField.Name("X-Request-Id")!
}

extension Duration {
    /// The duration in (fractional) milliseconds.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
