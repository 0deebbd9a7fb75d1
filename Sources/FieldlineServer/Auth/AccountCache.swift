import FieldlineDomain
import Foundation
import NIOConcurrencyHelpers

/// What a user's account says now: a token names its user, but the role and whether the account
/// may still sign in are read from here on every request, so a disabled user is locked out and a
/// demoted one loses their rights without waiting for the token to expire.
struct AccountState: Sendable, Equatable {
    /// The user's current role.
    let role: UserRole
    /// Disabled accounts' tokens are refused.
    let disabled: Bool
}

/// Users' account states, kept in memory for a short time so a busy agent's requests do not each
/// read the `users` row. A change made through this instance forgets the entry at once
/// (`invalidate`); other instances forget it when the `account:` notification arrives
/// (`StreamListener`), or at the latest after `ttl`. Bounded; zero `ttl` turns it off.
final class AccountCache: Sendable {
    private struct Entry: Sendable {
        let state: AccountState?
        let expires: ContinuousClock.Instant
    }

    /// How long an account's state is reused.
    let ttl: Duration
    /// Most accounts kept at once.
    let capacity: Int
    private struct State: Sendable {
        var entries: [UUID: Entry] = [:]
        /// Bumped by every invalidation, so a read that started before one is not stored after it.
        var generation: UInt64 = 0
    }
    private let locked = NIOLockedValueBox(State())

    /// A cache keeping up to `capacity` accounts for `ttl` each.
    init(ttl: Duration, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The state of `userID`: cached when fresh, else read with `load` (nil when the user is gone).
    func state(of userID: UUID, load: () async throws -> AccountState?) async throws -> AccountState? {
        let now = ContinuousClock.now
        let (cached, generation): (Entry?, UInt64) = locked.withLockedValue { locked in
            guard let entry = locked.entries[userID], entry.expires > now else { return (nil, locked.generation) }
            return (entry, locked.generation)
        }
        if let cached { return cached.state }
        let state = try await load()
        guard ttl > .zero else { return state }
        locked.withLockedValue { locked in
            guard locked.generation == generation else { return }
            if locked.entries[userID] == nil, locked.entries.count >= capacity {
                locked.entries = locked.entries.filter { $0.value.expires > now }
                // Still full of fresh entries: start over rather than grow without bound.
                if locked.entries.count >= capacity { locked.entries.removeAll() }
            }
            locked.entries[userID] = Entry(state: state, expires: now + ttl)
        }
        return state
    }

    /// Forgets every account (notifications of changes may have been missed).
    func invalidateAll() {
        locked.withLockedValue { locked in
            locked.entries.removeAll()
            locked.generation &+= 1
        }
    }

    /// Forgets `userID` (their account changed).
    func invalidate(_ userID: UUID) {
        locked.withLockedValue { locked in
            locked.entries[userID] = nil
            locked.generation &+= 1
        }
    }
}
