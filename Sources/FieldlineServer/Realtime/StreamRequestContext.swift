import Foundation
import Hummingbird
import HummingbirdWebSocket

/// What an accepted stream request carries into its WebSocket: who connected and from where.
struct StreamRequest: Sendable {
    /// The authenticated caller (holding `conversations:read`).
    let principal: Principal
    /// The last event id the client saw (`?after=`), or nil to start at the newest event.
    let after: Int64?
}

/// The request context of the WebSocket upgrade router (separate from the API's router, so
/// plain requests never try it).
struct StreamRequestContext: RequestContext, WebSocketRequestContext {
    /// Hummingbird's per-request storage.
    var coreContext: CoreRequestContextStorage
    /// Where the upgrade hands its handler to the WebSocket channel.
    let webSocket: WebSocketHandlerReference<StreamRequestContext>
    /// Set by `StreamAuthMiddleware` when the request may open a stream.
    var stream: StreamRequest?

    /// Builds the context for one upgrade request.
    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.stream = nil
    }
}

/// Authorizes an upgrade request; without a valid request the route refuses the upgrade.
struct StreamAuthMiddleware: RouterMiddleware {
    typealias Context = StreamRequestContext
    let authorizer: StreamAuthorizer

    /// Stores the authorized stream request in the context, or answers 401 (the upgrade is refused).
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        guard let stream = try? await authorizer.authorize(request) else { return Response(status: .unauthorized) }
        context.stream = stream
        return try await next(request, context)
    }
}
