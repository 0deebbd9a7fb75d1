import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore

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
    /// The connection the handshake came on, where a refusal is answered (`RefusedHandshake`).
    let channel: any NIOCore.Channel

    /// Builds the context for one upgrade request.
    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.stream = nil
        self.channel = source.channel
    }
}

/// Authorizes an upgrade request; without a valid request the route refuses the upgrade.
struct StreamAuthMiddleware: RouterMiddleware {
    typealias Context = StreamRequestContext
    let authorizer: StreamAuthorizer

    /// Stores the authorized stream request in the context, or refuses the upgrade, answering
    /// the reason as the API would (401, 403, 400 with the JSON error) on the connection itself.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        do {
            context.stream = try await authorizer.authorize(request)
        } catch {
            let refusal = ErrorMiddleware<Context>.map(error, logger: context.logger)
            await RefusedHandshake.answer(refusal, on: context.channel, logger: context.logger)
            return Response(status: refusal.status)
        }
        return try await next(request, context)
    }
}
