import FieldlineDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Failed logins slow down, per account and per client address; nobody is locked out
/// (issue 15). Client addresses come from `X-Forwarded-For`, trusted from the test's loopback.
@Suite("Login: growing delays, no lockout")
struct LoginDelayTests {
    /// Free failures per account in these tests (addresses get five times as many).
    static let free = 3

    static func configure(_ config: inout AppConfig) {
        config.loginMaxFailures = free
        config.loginMaxDelay = .seconds(4)
        config.trustedProxies = TrustedProxies([CIDRBlock("127.0.0.1")!, CIDRBlock("::1")!])
    }

    /// Logs in from `address` (as a trusted proxy would report it).
    static func login(_ client: any TestClientProtocol, _ email: String, _ password: String, from address: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Forwarded-For")!] = address
        return try await APICaller(client, token: nil).post(
            "/v1/auth/login", #"{"email":"\#(email)","password":"\#(password)"}"#, headers: headers)
    }

    @Test("a stranger's failures make their next attempts wait longer and longer, up to the cap; the owner still signs in")
    func strangerCannotLockOwnerOut() async throws {
        try await TestApp.runLive(configure: Self.configure) { client, fixtures in
            let owner = try await fixtures.tenant()
            let home = "198.51.100.7"
            let stranger = "203.0.113.9"
            #expect(try await Self.login(client, owner.email, TenantFixture.password, from: home).status == .ok)

            for _ in 1...Self.free {
                #expect(try await Self.login(client, owner.email, "not the password", from: stranger).status == .unauthorized)
            }
            var waits: [Int] = []
            for _ in 1...4 {
                // Each failure past the free ones sets a wait, doubling, capped at 4 s.
                #expect(try await Self.login(client, owner.email, "not the password", from: stranger).status == .unauthorized)
                let refused = try await Self.login(client, owner.email, "not the password", from: stranger)
                #expect(refused.status == .tooManyRequests)
                #expect(refused.json["error"]["code"].string == "too_many_attempts")
                let wait = try #require(refused.headers[.retryAfter].flatMap(Int.init))
                waits.append(wait)
                // Meanwhile the owner, from an address they signed in from, is not held back.
                #expect(try await Self.login(client, owner.email, TenantFixture.password, from: home).status == .ok)
                try await Task.sleep(for: .seconds(Double(wait) + 0.2))
            }
            #expect(waits == [1, 2, 4, 4])
            // From an address the account never signed in from, the account's wait applies (with
            // the right password too), for at most the cap.
            #expect(try await Self.login(client, owner.email, "not the password", from: stranger).status == .unauthorized)
            let elsewhere = try await Self.login(client, owner.email, TenantFixture.password, from: "192.0.2.44")
            #expect(elsewhere.status == .tooManyRequests)
            #expect((elsewhere.headers[.retryAfter].flatMap(Int.init) ?? 99) <= 4)
        }
    }

    @Test("one address failing across many accounts waits too, whatever account it tries next")
    func addressDelay() async throws {
        try await TestApp.runLive(configure: Self.configure) { client, fixtures in
            let victim = try await fixtures.tenant()
            let sprayer = "203.0.113.77"
            for index in 1...(Self.free * 5) {
                let response = try await Self.login(client, "nobody-\(index)@nowhere.test", "not the password", from: sprayer)
                #expect(response.status == .unauthorized)
            }
            #expect(try await Self.login(client, "nobody-x@nowhere.test", "not the password", from: sprayer).status == .unauthorized)
            let held = try await Self.login(client, victim.email, TenantFixture.password, from: sprayer)
            #expect(held.status == .tooManyRequests)
            // Another address is not affected.
            #expect(try await Self.login(client, victim.email, TenantFixture.password, from: "198.51.100.8").status == .ok)
        }
    }

    @Test("X-Forwarded-For from an untrusted peer is ignored: the socket's address is counted")
    func untrustedForwardedFor() async throws {
        try await TestApp.runLive(configure: { $0.loginMaxFailures = 1 }) { client, fixtures in
            let admin = try await fixtures.tenant()
            // Five failures (the address's free ones), each claiming a different address.
            for index in 1...5 {
                let response = try await Self.login(client, "nobody-\(index)@nowhere.test", "not the password", from: "203.0.113.\(index)")
                #expect(response.status == .unauthorized)
            }
            #expect(try await Self.login(client, "nobody-6@nowhere.test", "not the password", from: "203.0.113.6").status == .unauthorized)
            // All were counted under 127.0.0.1, which now waits whatever the header says.
            #expect(try await Self.login(client, admin.email, TenantFixture.password, from: "198.51.100.1").status == .tooManyRequests)
        }
    }
}
