import FieldlineDomain
import Foundation
import Hummingbird
import NIOCore

/// A JSON request body whose accepted fields are listed by its `CodingKeys`, so a misspelt or
/// unexpected field is a 422 naming it instead of being silently ignored.
protocol RequestBody: Decodable, Sendable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

/// Reads and decodes request bodies with errors that name the field.
enum JSONBody {
    /// Largest JSON body accepted by default.
    static let maxBytes = 1 << 20

    /// Decodes `type` from the request, refusing unknown top-level fields.
    static func decode<T: RequestBody>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        var data = try await collect(request)
        // An empty body is an empty object: PUTs whose fields are all optional need none.
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { data = Data("{}".utf8) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw APIError(.badRequest, code: "invalid_json", message: "the request body is not valid JSON")
        }
        guard let fields = object as? [String: Any] else {
            throw APIError(.badRequest, code: "invalid_json", message: "the request body must be a JSON object")
        }
        if let field = NULCharacter.firstField(in: fields) {
            throw NULCharacter.error(field: field)
        }
        let allowed = Set(T.CodingKeys.allCases.map(\.stringValue))
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError(.unprocessableContent, code: "unknown_field",
                           message: "unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))",
                           field: unknown)
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw map(error)
        }
    }

    static func collect(_ request: Request, limit: Int = maxBytes) async throws -> Data {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.isEmpty || contentType.lowercased().hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer: buffer)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than \(limit) bytes")
        }
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let raw = try decoder.singleValueContainer().decode(String.self)
            guard let date = RFC3339.parse(raw) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected an RFC 3339 time"))
            }
            return date
        }
        return decoder
    }()

    /// A decoding failure as a 422 naming the field.
    static func map(_ error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return APIError(.unprocessableContent, code: "missing_field", message: "\(field) is required", field: field)
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return APIError(.unprocessableContent, code: "missing_field", message: "\(field) must not be null", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return APIError(.unprocessableContent, code: "wrong_type", message: "\(field) must be \(describe(type))", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                return APIError(.badRequest, code: "invalid_json", message: "the request body is not valid JSON")
            }
            return APIError(.unprocessableContent, code: "invalid_field", message: "\(field): \(context.debugDescription)", field: field)
        @unknown default:
            return APIError(.badRequest, code: "invalid_json", message: "the request body could not be read")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is UUID.Type: "a UUID"
        default: "of type \(type)"
        }
    }
}
