import FieldlineChannels
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FieldlineServer

/// Webhooks reuse an adapter's opened credentials for `ADAPTER_CACHE_SECONDS`: a disable through
/// this instance takes effect at once, one made elsewhere (another instance: here, straight in the
/// database) within the TTL.
@Suite("Adapter account cache")
struct AdapterCacheTests {
    private static func disableElsewhere(_ fixtures: Fixtures, tenantID: UUID, adapter: String) async throws {
        let id = try #require(UUID(uuidString: adapter))
        try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query(
                "UPDATE adapters SET disabled_at = now() WHERE tenant_id = \(tenantID) AND id = \(id)", logger: fixtures.database.logger)
        }
    }

    @Test("an adapter disabled on another instance is refused once the cached account expires")
    func expiresAfterTTL() async throws {
        try await TestApp.run(configure: { $0.adapterCacheTTL = .seconds(5) }) { client, fixtures in
            let tenant = try await fixtures.tenant()
            let admin = APICaller(client, tenant)
            let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"}"#)
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.C1")).status == .ok)
            try await Self.disableElsewhere(fixtures, tenantID: tenant.tenant.id, adapter: hook.id)
            // Still the cached account: this instance has not heard of the disable yet.
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.C2")).status == .ok)
            try await Task.sleep(for: .milliseconds(5500))
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.C3")).status == .notFound)
        }
    }

    @Test("with the cache off (TTL 0) every webhook reads the adapter; a disable through the API is immediate either way")
    func offAndLocalDisable() async throws {
        try await TestApp.run(configure: { $0.adapterCacheTTL = .zero }) { client, fixtures in
            let tenant = try await fixtures.tenant()
            let admin = APICaller(client, tenant)
            let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"}"#)
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.D1")).status == .ok)
            try await Self.disableElsewhere(fixtures, tenantID: tenant.tenant.id, adapter: hook.id)
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.D2")).status == .notFound)
        }
        try await TestApp.run(configure: { $0.adapterCacheTTL = .seconds(3600) }) { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"}"#)
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.E1")).status == .ok)
            #expect(try await admin.delete("/v1/adapters/\(hook.id)").status == .noContent)
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.E2")).status == .notFound)
        }
    }

    @Test("the cache holds at most its capacity")
    func bounded() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let cache = AdapterAccountCache(ttl: .seconds(60), capacity: 2)
            let adapters = CachedAdaptersRepository(
                base: PostgresAdaptersRepository(database: fixtures.database, cipher: CredentialCipher(masterKey: testConfig(database: fixtures.settings).masterKey)),
                cache: cache)
            var ids: [UUID] = []
            for _ in 0..<3 {
                let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"s","verify_token":"v"}"#)
                let id = try #require(UUID(uuidString: hook.id))
                ids.append(id)
                #expect(try await adapters.account(for: id, provider: .whatsapp)?.secrets.signingSecret == "s")
                #expect(cache.count <= 2)
            }
            #expect(cache.account(for: ids[2]) != nil)
            // The wrong provider in the URL is unknown, cached or not.
            #expect(try await adapters.account(for: ids[2], provider: .telegram) == nil)
        }
    }
}
