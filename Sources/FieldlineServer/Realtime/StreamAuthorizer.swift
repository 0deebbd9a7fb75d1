import FieldlineDomain
import Foundation
import Hummingbird

/// Decides whether a request may open the stream: the API's credentials (agent JWT or API
/// key) from `Authorization: Bearer …` or, for browsers, `?access_token=`; the
/// `conversations:read` permission; and a well-formed `?after=`.
struct StreamAuthorizer: Sendable {
    let auth: AuthMiddleware

    /// The accepted request, or the API error to answer (401, 403, 400).
    func authorize(_ request: Request) async throws -> StreamRequest {
        let query = QueryParameters(request)
        guard let credential = Self.credential(request, query),
              let principal = try await auth.principal(forCredential: credential)
        else { throw APIError.unauthorized }
        guard principal.permissions.contains(.conversationsRead) else { throw APIError.forbidden(.conversationsRead) }
        return StreamRequest(principal: principal, after: try Self.after(query))
    }

    /// The bearer credential from the header, else from `access_token`.
    static func credential(_ request: Request, _ query: QueryParameters) -> String? {
        if let header = request.headers[.authorization] {
            guard header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
            return String(header.dropFirst(7)).trimmingWhitespace()
        }
        return query.string("access_token")
    }

    /// `?after=`: a non-negative whole number (an event id), or absent.
    static func after(_ query: QueryParameters) throws -> Int64? {
        guard let raw = query.string("after") else { return nil }
        guard raw.count <= 19, raw.allSatisfy(\.isASCII), let value = Int64(raw), value >= 0 else {
            throw APIError.badQuery("after", "after must be the id of an event received earlier (a whole number)")
        }
        return value
    }
}
