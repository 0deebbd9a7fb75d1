import FieldlineChannels
import Foundation
import NIOConcurrencyHelpers

/// Opened adapter accounts (adapter id → tenant, adapter, decrypted secrets) kept in memory for a
/// short time, so a webhook does not look up and decrypt its adapter on every request. Bounded;
/// unknown adapters are never cached (random ids cannot fill it).
final class AdapterAccountCache: Sendable {
    private struct Entry: Sendable {
        let account: AdapterAccount
        let expires: ContinuousClock.Instant
    }

    /// How long an opened account is reused; zero turns the cache off.
    let ttl: Duration
    /// Most accounts kept at once.
    let capacity: Int
    private let entries = NIOLockedValueBox([UUID: Entry]())

    /// A cache keeping up to `capacity` accounts for `ttl` each.
    init(ttl: Duration, capacity: Int = 1024) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached, unexpired account of `id`, if any.
    func account(for id: UUID) -> AdapterAccount? {
        let now = ContinuousClock.now
        return entries.withLockedValue { entries in
            guard let entry = entries[id] else { return nil }
            guard entry.expires > now else {
                entries[id] = nil
                return nil
            }
            return entry.account
        }
    }

    /// Keeps `account` for `ttl`; when full, expired entries go first, then the one expiring soonest.
    func store(_ account: AdapterAccount) {
        guard ttl > .zero, capacity > 0 else { return }
        let now = ContinuousClock.now
        entries.withLockedValue { entries in
            if entries[account.adapter.id] == nil, entries.count >= capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity, let soonest = entries.min(by: { $0.value.expires < $1.value.expires })?.key {
                    entries[soonest] = nil
                }
            }
            entries[account.adapter.id] = Entry(account: account, expires: now + ttl)
        }
    }

    /// Forgets `id` (its adapter was disabled or changed on this instance).
    func invalidate(_ id: UUID) {
        _ = entries.withLockedValue { $0.removeValue(forKey: id) }
    }

    /// How many accounts are held (expired ones included until touched).
    var count: Int { entries.withLockedValue { $0.count } }
}

/// An `AdaptersRepository` that answers the webhook path's `account(for:provider:)` from an
/// `AdapterAccountCache` and forgets an adapter as soon as it is disabled through it. Other server
/// instances keep a disabled adapter's cached account until its TTL ends.
struct CachedAdaptersRepository: AdaptersRepository {
    let base: any AdaptersRepository
    let cache: AdapterAccountCache

    func create(provider: ChannelProvider, name: String, secrets: AdapterSecrets, config: [String: String],
                unverifiedOrganizationID: UUID?, tenantID: UUID) async throws -> Adapter {
        try await base.create(provider: provider, name: name, secrets: secrets, config: config,
                              unverifiedOrganizationID: unverifiedOrganizationID, tenantID: tenantID)
    }

    func list(page: PageRequest, tenantID: UUID) async throws -> [Adapter] {
        try await base.list(page: page, tenantID: tenantID)
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> Adapter? {
        try await base.get(id, tenantID: tenantID)
    }

    func disable(_ id: UUID, tenantID: UUID) async throws -> Bool {
        // Before and after: a webhook racing the disable cannot re-cache the adapter for long.
        cache.invalidate(id)
        defer { cache.invalidate(id) }
        return try await base.disable(id, tenantID: tenantID)
    }

    func account(for id: UUID, provider: ChannelProvider) async throws -> AdapterAccount? {
        if let cached = cache.account(for: id) {
            return cached.provider == provider ? cached : nil
        }
        guard let account = try await base.account(for: id, provider: provider) else { return nil }
        cache.store(account)
        return account
    }
}
