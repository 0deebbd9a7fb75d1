import FieldlineDomain
import Hummingbird
import HTTPTypes

/// Sets the request's client address (`AppRequestContext.clientAddress`), used by login
/// throttling and rate limits: the socket's peer, or, when that peer is one of
/// `TRUSTED_PROXIES`, the address `X-Forwarded-For` names (see `TrustedProxies`). A header from
/// anyone else is ignored, so a client cannot choose the address it is counted under.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trustedProxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        context.clientAddress = trustedProxies.client(peer: peer, forwardedFor: request.headers[values: .xForwardedFor])
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`: the addresses a request passed through, the client first.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
