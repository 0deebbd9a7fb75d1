import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Watches a new connection until its first request head is parsed: closes it when the head has
/// not arrived within the timeout, and answers what cannot be parsed (an unknown method, bytes
/// that are not HTTP, a head over the size limits) with a 400 JSON error and a close. Then it
/// removes itself; Hummingbird's idle timeout covers the rest of the connection, and a WebSocket
/// upgrade never sees it.
///
/// Sits right after NIO's HTTP request decoder: Hummingbird's upgradable pipeline turns off NIO's
/// own protocol error handler and adds its idle timer only once a head is parsed.
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeout: TimeAmount
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var answered = false

    /// A guard that closes the connection if no head arrives within `timeout`.
    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    /// Starts the timer (the channel is already active when the pipeline is set up).
    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }

    /// Stops the timer.
    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    /// Passes every part on; the first head means the guard's work is done.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let isHead = if case .head = unwrapInboundIn(data) { true } else { false }
        context.fireChannelRead(data)
        if isHead, !answered {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    /// A parse error before the first head: 400 and close, instead of silence.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !answered else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        timer?.cancel()
        timer = nil
        logger.debug("unparsable request", metadata: ["error": "\(error)"])
        let body = ByteBuffer(string: Self.errorBody(for: error))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: "close")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    /// The JSON error for a parse failure.
    static func errorBody(for error: any Error) -> String {
        let message = switch error {
        case HTTPParserError.headerOverflow: "the request head is too large or has too many header lines"
        case HTTPParserError.invalidMethod: "unknown HTTP method"
        default: "the request could not be parsed as HTTP/1.1"
        }
        return #"{"error":{"code":"bad_request","field":null,"message":"\#(message)"}}"#
    }
}
