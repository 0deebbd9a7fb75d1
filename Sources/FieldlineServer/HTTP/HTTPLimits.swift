import NIOCore

/// How long a connection may take and how large a request head may be before the server gives
/// up on it (issue 15: half requests and huge or unparsable heads used to hold sockets forever).
public struct HTTPLimits: Sendable, Equatable {
    /// A connection with no request in progress, or whose request stopped arriving, is closed
    /// after this long.
    public var idleTimeout: Duration = .seconds(60)
    /// A new connection must have sent its first request head within this time.
    public var headerTimeout: Duration = .seconds(10)
    /// Largest request head (all header lines together, and any single one).
    public var maxHeaderBytes = 32 * 1024
    /// Most header lines in one request.
    public var maxHeaderCount = 100

    /// The defaults above.
    public init() {}

    /// `duration` as NIO's time amount.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
