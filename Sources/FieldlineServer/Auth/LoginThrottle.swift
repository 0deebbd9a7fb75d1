import Foundation
import PostgresNIO

/// Counts failed logins per account and per client address in PostgreSQL, so every server
/// instance enforces the same limit. Addresses get a larger budget than accounts because many
/// people can share one address.
struct LoginThrottle: Sendable {
    let database: Database
    let maxFailures: Int
    let window: Duration

    private var windowSeconds: Double { Double(window.components.seconds) }
    private var addressMaxFailures: Int { maxFailures * 5 }

    /// Seconds until another attempt is allowed, or nil when the caller may try now.
    func retryAfter(account: String, address: String?) async throws -> Int? {
        let rows = try await database.client.query("""
            SELECT ceil(max(extract(epoch FROM window_start + \(windowSeconds) * interval '1 second' - now())))::int
            FROM login_throttle
            WHERE window_start > now() - \(windowSeconds) * interval '1 second'
              AND ((scope = 'account' AND key = \(account) AND failures >= \(maxFailures))
                OR (scope = 'address' AND key = \(address ?? "") AND failures >= \(addressMaxFailures)))
            """, logger: database.logger)
        for try await seconds in rows.decode(Int?.self) {
            return seconds.map { max(1, $0) }
        }
        return nil
    }

    /// Counts one failure for the account and the address.
    func recordFailure(account: String, address: String?) async throws {
        for (scope, key) in [("account", account), ("address", address)] {
            guard let key else { continue }
            try await database.client.query("""
                INSERT INTO login_throttle AS t (scope, key, window_start, failures)
                VALUES (\(scope), \(key), now(), 1)
                ON CONFLICT (scope, key) DO UPDATE SET
                    failures = CASE WHEN t.window_start <= now() - \(windowSeconds) * interval '1 second'
                                    THEN 1 ELSE t.failures + 1 END,
                    window_start = CASE WHEN t.window_start <= now() - \(windowSeconds) * interval '1 second'
                                        THEN now() ELSE t.window_start END
                """, logger: database.logger)
        }
    }

    /// Forgets an account's failures after a successful login.
    func reset(account: String) async throws {
        try await database.client.query(
            "DELETE FROM login_throttle WHERE scope = 'account' AND key = \(account)", logger: database.logger)
    }
}
