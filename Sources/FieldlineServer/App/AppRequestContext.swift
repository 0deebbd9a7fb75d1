import FieldlineDomain
import Foundation
import Hummingbird
import NIOCore

/// The request context of every Fieldline route: who is calling (once authenticated) and from
/// where, plus the JSON coders of the API conventions.
public struct AppRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller, set by `AuthMiddleware`.
    public var principal: Principal?
    /// The socket's peer.
    public let remoteAddress: SocketAddress?
    /// The client's address, for login throttling and rate limits: the peer, or what a trusted
    /// proxy says in `X-Forwarded-For` (set by `ClientAddressMiddleware`).
    public var clientAddress: IPAddress?

    /// Builds the context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// JSON bodies are at most 1 MiB unless an endpoint says otherwise.
    public var maxUploadSize: Int { JSONBody.maxBytes }

    /// snake_case keys, RFC 3339 UTC times with milliseconds, lower-case UUIDs.
    public var responseEncoder: JSONEncoder { Self.encoder }

    static let encoder: JSONEncoder = {
        let encoder = LowercaseUUIDJSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return encoder
    }()

    /// The caller, or 401 when the route was reached without authentication.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        return principal
    }

    /// The caller, if they hold `permission`; 401 or 403 otherwise.
    func require(_ permission: Permission) throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.permissions.contains(permission) else { throw APIError.forbidden(permission) }
        return principal
    }
}
