import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging

/// `GET /v1/stream`: the live stream of desk events as a WebSocket.
///
/// The upgrade is decided on a router of its own: an authorized request is upgraded and served
/// by a `StreamSession`; a refused handshake is answered with the reason (`RefusedHandshake`). A request
/// without `Upgrade: websocket` reaches the API router's `GET /v1/stream`, which answers the
/// reason as JSON (401, 403, 400) or 426 when the stream would be opened.
struct StreamController: Sendable {
    let authorizer: StreamAuthorizer
    let hub: StreamHub
    let reader: StreamEventReader
    /// Encoded events, shared by the sessions of this controller.
    var texts = StreamEventTexts()

    /// The API router's route: never upgrades, only explains why not.
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("stream", use: refuse)
    }

    /// Answers a request that was not upgraded.
    @Sendable func refuse(_ request: Request, context: AppRequestContext) async throws -> Response {
        let stream = try await authorizer.authorize(request)
        if let after = stream.after {
            let pruned = try await reader.prunedThrough(tenantID: stream.principal.tenantID)
            if after < pruned { throw APIError.cursorTooOld(after: after, prunedThrough: pruned) }
        }
        throw APIError(.upgradeRequired, code: "websocket_required",
                       message: "GET /v1/stream is a WebSocket: connect with Upgrade: websocket")
    }

    /// The router that decides WebSocket upgrades.
    func webSocketRouter(logger: Logger) -> Router<StreamRequestContext> {
        let router = Router(context: StreamRequestContext.self)
        let hub = hub
        let reader = reader
        let texts = texts
        let auth = authorizer.auth
        router.group("v1")
            .add(middleware: StreamAuthMiddleware(authorizer: authorizer))
            .ws("stream") { inbound, outbound, context in
                guard let stream = context.requestContext.stream else { return }
                let session = StreamSession(
                    request: stream, hub: hub, reader: reader, auth: auth, texts: texts, logger: context.logger)
                try await session.run(inbound: inbound, outbound: outbound)
            }
        return router
    }
}

extension APIError {
    /// 410 `cursor_too_old`: events after the cursor were pruned by retention.
    static func cursorTooOld(after: Int64, prunedThrough: Int64) -> APIError {
        APIError(.gone, code: "cursor_too_old",
                 message: "events after \(after) up to \(prunedThrough) were pruned (too old); resync: read the current state through the API and reconnect without ?after=",
                 field: "after")
    }
}

extension AppDependencies {
    /// The stream's controller, sharing this application's hub.
    var streamController: StreamController {
        let auth = AuthMiddleware(tokens: tokens, credentials: PostgresCredentialsRepository(database: database), accounts: accounts)
        return StreamController(authorizer: StreamAuthorizer(auth: auth), hub: streamHub, reader: StreamEventReader(database: streamDatabase ?? database))
    }
}
