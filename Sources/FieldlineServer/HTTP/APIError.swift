import FieldlineDomain
import Foundation
import Hummingbird

/// The one error type every endpoint answers with:
/// `{"error": {"code": "snake_case", "message": "...", "field": "..."}}` and a 4xx/5xx status.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    /// HTTP status.
    public let status: HTTPResponse.Status
    /// Stable snake_case code.
    public let code: String
    /// Readable explanation.
    public let message: String
    /// The request field at fault, if one is.
    public let field: String?
    /// Extra response headers (e.g. `Retry-After`).
    public var headers: HTTPFields = [:]

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// For logs.
    public var description: String { "\(status.code) \(code): \(message)" }

    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let field: String?

            enum CodingKeys: String, CodingKey { case code, message, field }

            /// `field` is always present: null when no single field is at fault.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(code, forKey: .code)
                try container.encode(message, forKey: .message)
                try container.encode(field, forKey: .field)
            }
        }
        let error: Detail
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The JSON body: `{"error": {"code", "message", "field"}}`.
    var jsonBody: Data {
        // Encoding three strings cannot fail.
        (try? Self.encoder.encode(Body(error: .init(code: code, message: message, field: field)))) ?? Data()
    }

    /// Renders the JSON body.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = jsonBody
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension APIError {
    /// 404 for anything unknown or out of the caller's tenant; never says which.
    static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) not found")
    }

    /// 401 without saying which part of the credentials was wrong.
    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", message: "missing or invalid credentials")

    /// 403 naming the permission that is missing.
    static func forbidden(_ permission: Permission) -> APIError {
        APIError(.forbidden, code: "forbidden", message: "this requires the '\(permission.rawValue)' permission")
    }

    /// 409 for a state conflict.
    static func conflict(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.conflict, code: code, message: message, field: field)
    }

    /// 422 for a value that breaks a rule.
    static func invalid(_ error: ValidationError) -> APIError {
        APIError(.unprocessableContent, code: error.code, message: error.message, field: error.field)
    }

    /// 400 for a malformed query parameter.
    static func badQuery(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_query_parameter", message: message, field: name)
    }
}
