import FieldlineDomain
import Foundation
import Hummingbird
import NIOCore
import PostgresNIO

/// Turns every error into the JSON error shape. Domain validation becomes 422, constraint
/// violations become 409/422, anything unexpected a logged 500 with no internals leaked.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            // Answer here rather than rethrow, so the logging and metrics middleware outside
            // this one see the real status.
            return try Self.map(error, logger: context.logger).response(from: request, context: context)
        }
    }

    static func map(_ error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ValidationError:
            return .invalid(error)
        case let error as HTTPError:
            return mapHTTPError(error)
        case let error as DecodingError:
            return JSONBody.map(error)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large", message: "the request body is too large")
        case let error as any HTTPResponseError where error.status.code < 500:
            return APIError(error.status, code: snakeCase(error.status.reasonPhrase), message: error.status.reasonPhrase)
        default:
            if let postgres = error.postgresError, let mapped = mapPostgres(postgres) {
                return mapped
            }
            logger.error("unhandled error: \(String(reflecting: error))")
            return APIError(.internalServerError, code: "internal_error", message: "an unexpected error occurred; it has been logged")
        }
    }

    static func mapHTTPError(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound:
            return APIError(.notFound, code: "not_found", message: error.body ?? "no such route")
        case .contentTooLarge:
            return APIError(.contentTooLarge, code: "body_too_large", message: "the request body is too large")
        case .methodNotAllowed:
            return APIError(.methodNotAllowed, code: "method_not_allowed", message: "method not allowed on this route")
        default:
            return APIError(error.status, code: snakeCase(error.status.reasonPhrase), message: error.body ?? error.status.reasonPhrase)
        }
    }

    static func snakeCase(_ phrase: String) -> String {
        phrase.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    /// Constraint violations that slipped past validation still deserve a clear 4xx.
    static func mapPostgres(_ error: PSQLError) -> APIError? {
        if error.isUniqueViolation {
            return APIError(.conflict, code: "already_exists", message: "a record with the same unique value already exists")
        }
        if error.isForeignKeyViolation {
            return APIError(.conflict, code: "reference_conflict", message: "a referenced record does not exist or is still in use")
        }
        if error.isCheckViolation {
            return APIError(.unprocessableContent, code: "invalid_field", message: "a value is out of its allowed range")
        }
        // Validation refuses U+0000 and bounds indexed text; these catch what it missed.
        if error.isUnstorableCharacter {
            return APIError(.unprocessableContent, code: "invalid_character", message: "a text value holds a character that cannot be stored (U+0000)")
        }
        if error.isProgramLimitExceeded {
            return APIError(.unprocessableContent, code: "value_too_long", message: "a value is too long to be stored")
        }
        if error.sqlState == "22P02" || error.sqlState == "22003" {
            return APIError(.unprocessableContent, code: "invalid_field", message: "a value has the wrong format")
        }
        return nil
    }
}
