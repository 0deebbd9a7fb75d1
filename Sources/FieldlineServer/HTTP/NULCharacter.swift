import FieldlineDomain
import Foundation
import Hummingbird

/// U+0000 cannot be stored in PostgreSQL `text` or `jsonb` (SQLSTATE 22021 / 22P05), and bcrypt
/// stops reading a password at it: every string from outside is refused with it, in one place per
/// way in (the JSON body, the query string, the path), naming the field.
enum NULCharacter {
    /// The error for `field`: 422 for a body field, 400 for a query parameter or the path.
    static func error(field: String, status: HTTPResponse.Status = .unprocessableContent) -> APIError {
        APIError(status, code: "invalid_character", message: "\(field) must not contain the NUL character (U+0000)", field: field)
    }

    /// The path (as `JSONBody` names fields, e.g. `identities[0].external_id`) of the first string
    /// or object key holding U+0000 in a value parsed by `JSONSerialization`; nil when there is none.
    static func firstField(in value: Any, path: String = "") -> String? {
        switch value {
        case let text as String:
            return text.utf8.contains(0) ? path : nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                let field = path.isEmpty ? key : "\(path).\(key)"
                if key.utf8.contains(0) { return field }
                if let object = object[key], let found = firstField(in: object, path: field) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstField(in: element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}

/// Refuses U+0000 in the path and the query string before any route reads them (400
/// `invalid_character` naming the parameter, or `path`). A NUL reaches a URI only as `%00`.
struct NULGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Checks the URI, then hands on.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let field = Self.firstField(in: request) {
            throw NULCharacter.error(field: field, status: .badRequest)
        }
        return try await next(request, context)
    }

    /// `path`, or the name of the first query parameter holding U+0000; nil when none does.
    static func firstField(in request: Request) -> String? {
        let uri = request.uri
        if uri.path.lowercased().contains("%00") { return "path" }
        for (key, value) in uri.queryParameters where key.lowercased().contains("%00") || value.utf8.contains(0) {
            return String(key).removingPercentEncoding ?? String(key)
        }
        return nil
    }
}
