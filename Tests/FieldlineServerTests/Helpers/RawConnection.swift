import Foundation
import NIOCore
import NIOPosix

/// A plain TCP connection to the test server, for requests no HTTP client would send.
enum RawConnection {
    /// What came back: the bytes read, whether the server closed the connection, and when.
    struct Outcome: Sendable {
        let text: String
        let closed: Bool
        let elapsed: Duration
    }

    /// Connects to `port`, writes `bytes`, and reads until the server closes or `wait` passes.
    static func send(_ bytes: [UInt8], port: Int, wait: Duration) async throws -> Outcome {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let start = ContinuousClock.now
        return try await channel.executeThenClose { inbound, outbound in
            // The server may close before all is written (a head over its limit): read what it said.
            try? await outbound.write(ByteBuffer(bytes: bytes))
            return await withTaskGroup(of: Outcome?.self) { group in
                group.addTask {
                    var received = ByteBuffer()
                    do {
                        for try await var part in inbound { received.writeBuffer(&part) }
                    } catch {}
                    // Cancelled by the timer: the server had not closed.
                    return Outcome(text: String(decoding: received.readableBytesView, as: UTF8.self),
                                   closed: !Task.isCancelled, elapsed: ContinuousClock.now - start)
                }
                group.addTask {
                    try? await Task.sleep(for: wait)
                    return nil
                }
                var outcome: Outcome?
                for await result in group {
                    group.cancelAll()
                    if let result { outcome = result }
                }
                return outcome ?? Outcome(text: "", closed: false, elapsed: ContinuousClock.now - start)
            }
        }
    }

    /// `text` as bytes.
    static func send(_ text: String, port: Int, wait: Duration) async throws -> Outcome {
        try await send(Array(text.utf8), port: port, wait: wait)
    }
}
