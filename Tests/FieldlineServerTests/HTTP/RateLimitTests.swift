import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

/// Budgets per API key, per user, per adapter's webhooks and for `/v1/app/messages`: a 429
/// `rate_limited` with `Retry-After` once spent, and other callers unaffected (issue 15).
@Suite("Rate limits")
struct RateLimitTests {
    static func expectLimited(_ response: TestResponse, maxWait: Int) {
        #expect(response.status == .tooManyRequests)
        #expect(response.json["error"]["code"].string == "rate_limited")
        let wait = response.headers[.retryAfter].flatMap(Int.init) ?? 0
        #expect(wait >= 1 && wait <= maxWait, "Retry-After \(wait)")
    }

    @Test("a user's and an API key's budgets are separate, and spending one leaves others alone")
    func perCredential() async throws {
        try await TestApp.run(configure: {
            $0.rateLimits.user = RateLimit(perMinute: 5)
            $0.rateLimits.apiKey = RateLimit(perMinute: 3)
        }) { client, fixtures in
            let adminFixture = try await fixtures.tenant()
            let admin = APICaller(client, adminFixture)
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["network:read"]}"#).json["key"].string)
            let erp = APICaller(client, token: key)
            for _ in 1...3 { #expect(try await erp.get("/v1/organizations").status == .ok) }
            // 3 a minute: the next is one refill (20 s) away.
            Self.expectLimited(try await erp.get("/v1/organizations"), maxWait: 20)
            // The admin made one call (the key); four more are allowed, then the fifth is refused.
            for _ in 1...4 { #expect(try await admin.get("/v1/organizations").status == .ok) }
            Self.expectLimited(try await admin.get("/v1/organizations"), maxWait: 12)
            // Another user of the same tenant is not affected.
            let agent = APICaller(client, try await fixtures.tenant(role: .agent))
            #expect(try await agent.get("/v1/users/me").status == .ok)
            // Unauthenticated requests are 401 before any budget is touched.
            #expect(try await APICaller(client, token: nil).get("/v1/organizations").status == .unauthorized)
        }
    }

    @Test("a budget refills continuously, keys are separate, and the limiter holds at most its capacity")
    func refills() {
        let limiter = RateLimiter()
        let start = ContinuousClock.now
        let limit = RateLimit(perMinute: 120)
        // A burst of a minute's worth, then one back every half second.
        for _ in 0..<120 { #expect(limiter.acquire("key", limit: limit, now: start) == nil) }
        #expect(limiter.acquire("key", limit: limit, now: start) == 1)
        #expect(limiter.acquire("key", limit: limit, now: start + .milliseconds(500)) == nil)
        #expect(limiter.acquire("key", limit: limit, now: start + .milliseconds(500)) == 1)
        #expect(limiter.acquire("other", limit: limit, now: start) == nil)
        #expect(limiter.acquire("key", limit: .off, now: start) == nil)
        // A slow budget says how long the wait is.
        let slow = RateLimit(perMinute: 2)
        #expect(limiter.acquire("slow", limit: slow, now: start) == nil)
        #expect(limiter.acquire("slow", limit: slow, now: start) == nil)
        #expect(limiter.acquire("slow", limit: slow, now: start) == 30)
        #expect(limiter.acquire("slow", limit: slow, now: start + .seconds(15)) == 15)
        let small = RateLimiter(capacity: 10)
        for index in 0..<25 { _ = small.acquire("k\(index)", limit: limit, now: start) }
        #expect(small.count <= 10)
    }

    @Test("POST /v1/app/messages has a budget of its own per key")
    func appMessages() async throws {
        try await TestApp.run(configure: { $0.rateLimits.appMessages = RateLimit(perMinute: 2) }) { client, fixtures in
            let desk = try await StreamTests.desk(client, fixtures)
            _ = try await desk.send("m-1", "hola")
            _ = try await desk.send("m-2", "hola")
            let refused = try await desk.app.post("/v1/app/messages", #"{"sender":"app-user-0","provider_message_id":"m-3","text":"hola"}"#)
            Self.expectLimited(refused, maxWait: 30)
            // The key's other routes are not charged to this budget (this one then needs a scope it lacks).
            #expect(try await desk.app.get("/v1/organizations").status == .forbidden)
            // Another caller of the route has a budget of their own.
            let admin = APICaller(client, try await fixtures.user(in: desk.fixture.tenant, role: .admin))
            let other = try #require(try await admin.post("/v1/api-keys", #"{"name":"App 2","scopes":["inbound:write"]}"#).json["key"].string)
            let stored = try await APICaller(client, token: other).post("/v1/app/messages", #"{"sender":"app-user-0","provider_message_id":"m-4","text":"hola"}"#)
            #expect(stored.status == .created)
        }
    }

    @Test("an adapter's signed webhooks have a budget; forged ones do not spend it")
    func webhooks() async throws {
        try await TestApp.run(configure: { $0.rateLimits.webhook = RateLimit(perMinute: 2) }) { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"}"#)
            for _ in 1...3 {
                var headers = HTTPFields()
                headers[HTTPField.Name("X-Hub-Signature-256")!] = "sha256=" + String(repeating: "0", count: 64)
                headers[.contentType] = "application/json"
                let forged = try await client.execute(uri: hook.url, method: .post, headers: headers, body: ByteBuffer(string: WebhookTests.whatsAppText(id: "wamid.F"))) { $0 }
                #expect(forged.status == .unauthorized)
            }
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.R1")).status == .ok)
            #expect(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.R2")).status == .ok)
            let limited = try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.R3"))
            Self.expectLimited(limited, maxWait: 30)
            let other = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"\#(WebhookTests.appSecret)","verify_token":"w"}"#)
            #expect(try await WebhookTests.postSigned(client, other.url, WebhookTests.whatsAppText(id: "wamid.O1")).status == .ok)
        }
    }
}
