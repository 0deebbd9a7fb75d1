import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// A request budget: `perMinute` requests a minute on average, with bursts of up to as many at
/// once (a token bucket refilled continuously). Zero turns the limit off.
struct RateLimit: Sendable, Equatable {
    /// Requests allowed per minute; 0 is unlimited.
    var perMinute: Int

    /// No limit.
    static let off = RateLimit(perMinute: 0)
}

/// Token buckets in this instance's memory, one per key (an API key, a user, an adapter): cheap
/// (one lock, no I/O), but per instance, so N instances behind a balancer allow up to N times
/// the budget (see docs/operations.md). Bounded: when `capacity` keys are held, the buckets that
/// have refilled are dropped, and if none has, all are (limits start afresh rather than memory
/// growing).
final class RateLimiter: Sendable {
    private struct Bucket: Sendable {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// Most keys held at once.
    let capacity: Int
    private let buckets = NIOLockedValueBox([String: Bucket]())

    /// A limiter holding up to `capacity` keys.
    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Takes one request from `key`'s budget: nil when allowed, else the whole seconds until
    /// the next request would be.
    func acquire(_ key: String, limit: RateLimit, now: ContinuousClock.Instant = .now) -> Int? {
        guard limit.perMinute > 0 else { return nil }
        let size = Double(limit.perMinute)
        let perSecond = size / 60
        return buckets.withLockedValue { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: size, updated: now)
            let elapsed = Self.seconds(now - bucket.updated)
            bucket.tokens = min(size, bucket.tokens + elapsed * perSecond)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                if buckets[key] == nil, buckets.count >= capacity { Self.shed(&buckets, now: now, capacity: capacity) }
                buckets[key] = bucket
                return nil
            }
            buckets[key] = bucket
            return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
        }
    }

    /// Number of keys held (for tests).
    var count: Int { buckets.withLockedValue { $0.count } }

    private static func shed(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant, capacity: Int) {
        // A bucket untouched for a minute has refilled whatever its size: it is as good as new.
        buckets = buckets.filter { seconds(now - $0.value.updated) < 60 }
        if buckets.count * 10 >= 9 * capacity { buckets.removeAll() }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// The budgets of the API, per caller (see `RATE_LIMIT_*` in the README).
struct RateLimits: Sendable, Equatable {
    /// Per API key, every route.
    var apiKey = RateLimit(perMinute: 1200)
    /// Per signed-in user, every route.
    var user = RateLimit(perMinute: 600)
    /// Per adapter, its signed webhooks.
    var webhook = RateLimit(perMinute: 12_000)
    /// Per caller, `POST /v1/app/messages` (beside their overall budget).
    var appMessages = RateLimit(perMinute: 600)
}

extension APIError {
    /// 429 `rate_limited` with `Retry-After`.
    static func rateLimited(_ what: String, retryAfter seconds: Int) -> APIError {
        var error = APIError(.tooManyRequests, code: "rate_limited",
                             message: "too many requests for \(what); retry in \(seconds) seconds")
        error.headers[.retryAfter] = String(seconds)
        return error
    }
}

/// Charges each authenticated request to its caller's budget (`RateLimits.apiKey` or `.user`),
/// answering 429 with `Retry-After` when it is spent.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: RateLimiter
    let limits: RateLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let principal = context.principal {
            let (limit, what) = switch principal.kind {
            case .apiKey: (limits.apiKey, "this API key")
            case .user: (limits.user, "this user")
            }
            if let seconds = limiter.acquire(principal.reference, limit: limit) {
                throw APIError.rateLimited(what, retryAfter: seconds)
            }
        }
        return try await next(request, context)
    }
}
