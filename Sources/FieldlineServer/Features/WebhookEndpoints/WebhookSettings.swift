import Foundation

/// How webhooks are delivered: the retry schedule, the timeout, how many requests one endpoint
/// may have in flight, and when an endpoint that keeps failing is disabled.
public struct WebhookSettings: Sendable {
    /// The wait before each retry: attempt n+1 comes `retrySchedule[n-1]` after attempt n fails
    /// (or after the receiver's `Retry-After`, when longer). When it runs out the delivery fails.
    /// The default spans about 3.2 days: 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h seven times.
    public var retrySchedule: [Duration] = [
        .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18_000),
    ] + Array(repeating: .seconds(36_000), count: 7)
    /// How long one attempt may take, connecting included, before it counts as failed.
    public var timeout: Duration = .seconds(15)
    /// Most requests in flight to one endpoint at once.
    public var concurrencyPerEndpoint = 4
    /// An endpoint failing every attempt for this long is disabled, with the reason shown.
    public var disableAfter: Duration = .seconds(3 * 86_400)
    /// At most this many bytes of a response are kept with the attempt.
    public var snippetBytes = 500

    /// The defaults.
    public init() {}
}
