import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// The answer to a WebSocket handshake that may not open the stream.
///
/// hummingbird-websocket 2.8.1 answers every refused upgrade with a bare `400` and an empty body
/// (`HTTP1WebSocketUpgradeChannel.writeFailedUpgrade`), whatever the reason. So the refusal is
/// written here first, on the connection, while the upgrade is being decided: the API's status
/// and JSON error (`401 unauthorized`, `403 forbidden`, `400 invalid_query`), with
/// `Connection: close`; then the connection's output is closed, so the library's own `400`
/// that follows is never sent.
enum RefusedHandshake {
    /// Writes `refusal` as a complete HTTP/1.1 response on `channel` and closes its output.
    static func answer(_ refusal: APIError, on channel: any NIOCore.Channel, logger: Logger) async {
        let body = ByteBuffer(bytes: refusal.jsonBody)
        var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: Int(refusal.status.code)))
        head.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        head.headers.add(name: "Connection", value: "close")
        for field in refusal.headers { head.headers.add(name: field.name.canonicalName, value: field.value) }
        do {
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
            try await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            try await channel.close(mode: .output)
        } catch {
            // The client went away: nobody is left to tell.
            logger.debug("refused stream handshake not answered: \(error)")
        }
    }
}
