import Foundation
import PostgresNIO

/// Slows down failed logins per account and per client address, in PostgreSQL so every server
/// instance applies the same waits. The first `freeFailures` failures of an account within
/// `window` cost nothing; each further one makes the next attempt wait twice as long as the
/// last (1 s, 2 s, 4 s, …), never more than `maxDelay`. Addresses get five times the free
/// failures, because many people can share one. There is no hard lock: a guesser gets at most
/// one try per `maxDelay`, and an account's wait does not apply from an address it signed in
/// from within `knownAddressAge`, so a stranger cannot keep its owner out (see docs/tenancy.md).
struct LoginThrottle: Sendable {
    let database: Database
    let freeFailures: Int
    let window: Duration
    let maxDelay: Duration
    /// How long a successful sign-in makes its address known to the account.
    var knownAddressAge: Duration = .seconds(90 * 86_400)

    private var windowSeconds: Double { Double(window.components.seconds) }
    private var maxDelaySeconds: Double { Double(maxDelay.components.seconds) }
    private var knownSeconds: Double { Double(knownAddressAge.components.seconds) }
    private var addressFreeFailures: Int { freeFailures * 5 }

    /// Seconds until another attempt is allowed, or nil when the caller may try now.
    func retryAfter(account: String, address: String?) async throws -> Int? {
        let rows = try await database.client.query("""
            SELECT ceil(extract(epoch FROM max(next_attempt_at) - now()))::int
            FROM login_throttle t
            WHERE t.next_attempt_at > now()
              AND ((t.scope = 'address' AND t.key = \(address ?? ""))
                OR (t.scope = 'account' AND t.key = \(account) AND NOT EXISTS (
                        SELECT 1 FROM login_known_addresses k
                        WHERE k.account = \(account) AND k.address = \(address ?? "")
                          AND k.last_login_at > now() - \(knownSeconds) * interval '1 second')))
            """, logger: database.logger)
        for try await seconds in rows.decode(Int?.self) {
            return seconds.map { max(1, $0) }
        }
        return nil
    }

    /// Counts one failure for the account and the address, and sets their next allowed attempt.
    func recordFailure(account: String, address: String?) async throws {
        for (scope, key, free) in [("account", account, freeFailures), ("address", address, addressFreeFailures)] {
            guard let key else { continue }
            try await database.client.query("""
                INSERT INTO login_throttle AS t (scope, key, window_start, failures, next_attempt_at)
                VALUES (\(scope), \(key), now(), 1, NULL)
                ON CONFLICT (scope, key) DO UPDATE SET
                    failures = CASE WHEN t.window_start <= now() - \(windowSeconds) * interval '1 second'
                                    THEN 1 ELSE t.failures + 1 END,
                    window_start = CASE WHEN t.window_start <= now() - \(windowSeconds) * interval '1 second'
                                        THEN now() ELSE t.window_start END,
                    -- Past the free failures, twice the last wait (from 1 s), at most the cap.
                    next_attempt_at = CASE
                        WHEN t.window_start <= now() - \(windowSeconds) * interval '1 second' OR t.failures + 1 <= \(free) THEN NULL
                        ELSE now() + least(\(maxDelaySeconds), power(2, least(t.failures - \(free), 30))) * interval '1 second'
                        END
                """, logger: database.logger)
        }
    }

    /// After a successful login: remembers the address for the account. The account's failures
    /// stay counted (they end with their window): a success of the owner must not give a
    /// guesser elsewhere a fresh set of free attempts.
    func recordSuccess(account: String, address: String?) async throws {
        guard let address else { return }
        try await database.client.query("""
            INSERT INTO login_known_addresses (account, address, last_login_at) VALUES (\(account), \(address), now())
            ON CONFLICT (account, address) DO UPDATE SET last_login_at = now()
            """, logger: database.logger)
    }
}
