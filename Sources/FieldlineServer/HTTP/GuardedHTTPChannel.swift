import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with WebSocket upgrade, plus a `RequestHeadGuard` after the
/// request decoder of every new connection.
struct GuardedHTTPChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    /// The channel doing the work.
    let inner: Inner
    /// How long a new connection may take to send its first request head.
    let headerTimeout: TimeAmount

    /// Sets up `inner`, then puts the guard right after its HTTP request decoder.
    func setup(channel: any NIOCore.Channel, logger: Logger) -> EventLoopFuture<Value> {
        let headerTimeout = headerTimeout
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestHeadGuard(timeout: headerTimeout, logger: logger), position: .after(decoder))
            return value
        }
    }

    /// Serves the connection as `inner` does.
    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with WebSocket upgrade for `webSocketRouter`, within `limits`.
    static func guardedHTTP1WebSocketUpgrade<Context: WebSocketRequestContext>(
        webSocketRouter: Router<Context>, limits: HTTPLimits
    ) -> HTTPServerBuilder {
        let webSocketResponder = webSocketRouter.buildResponder()
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(
                idleTimeout: HTTPLimits.timeAmount(limits.idleTimeout),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes,
                    maxHeaderFieldCount: limits.maxHeaderCount)))
        let headerTimeout = HTTPLimits.timeAmount(limits.headerTimeout)
        return .init { responder in
            GuardedHTTPChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                headerTimeout: headerTimeout)
        }
    }
}
