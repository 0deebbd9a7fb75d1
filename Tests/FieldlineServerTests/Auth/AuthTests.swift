import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Authentication and permissions")
struct AuthTests {
    @Test("login returns a working short-lived token; wrong credentials are one 401")
    func login() async throws {
        try await TestApp.run { client, fixtures in
            let admin = try await fixtures.tenant()
            let anonymous = APICaller(client, token: nil)
            let ok = try await anonymous.post("/v1/auth/login", #"{"email":"\#(admin.email.uppercased())","password":"\#(TenantFixture.password)"}"#)
            #expect(ok.status == .ok)
            #expect(ok.json["token_type"].string == "Bearer")
            #expect(ok.json["user"]["id"].string == admin.userID.uuidString.lowercased())
            let expiresAt = try #require(ok.json["expires_at"].string.flatMap(RFC3339.parse))
            #expect(expiresAt.timeIntervalSinceNow > 800 && expiresAt.timeIntervalSinceNow <= 900)
            let token = try #require(ok.json["token"].string)
            #expect(try await APICaller(client, token: token).get("/v1/users/me").json["email"].string == admin.email)

            let wrongPassword = try await anonymous.post("/v1/auth/login", #"{"email":"\#(admin.email)","password":"wrong password!!"}"#)
            let unknownEmail = try await anonymous.post("/v1/auth/login", #"{"email":"ghost@nowhere.test","password":"wrong password!!"}"#)
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownEmail.status == .unauthorized)
            #expect(wrongPassword.text == unknownEmail.text)
            #expect(try await anonymous.post("/v1/auth/login", #"{"email":"a@b.c"}"#).status == .unprocessableContent)
        }
    }

    @Test("disabled users cannot log in")
    func disabledUser() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let agent = try await fixtures.tenant(role: .agent)
            #expect(try await admin.patch("/v1/users/\(agent.userID)", #"{"disabled":true}"#).json["disabled"].bool == true)
            let response = try await APICaller(client, token: nil).post("/v1/auth/login", #"{"email":"\#(agent.email)","password":"\#(TenantFixture.password)"}"#)
            #expect(response.status == .unauthorized)
        }
    }

    @Test("failed logins past the free ones make the next attempt wait, with Retry-After")
    func throttling() async throws {
        try await TestApp.run { client, fixtures in
            let admin = try await fixtures.tenant()
            let anonymous = APICaller(client, token: nil)
            let wrong = #"{"email":"\#(admin.email)","password":"not the password"}"#
            // Five free failures, then one that sets a wait.
            for _ in 1...6 {
                #expect(try await anonymous.post("/v1/auth/login", wrong).status == .unauthorized)
            }
            let blocked = try await anonymous.post("/v1/auth/login", #"{"email":"\#(admin.email)","password":"\#(TenantFixture.password)"}"#)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.json["error"]["code"].string == "too_many_attempts")
            let retryAfter = try #require(blocked.headers[.retryAfter].flatMap(Int.init))
            #expect(retryAfter == 1)
            // Another account is not affected.
            let other = try await fixtures.tenant(role: .agent)
            #expect(try await anonymous.post("/v1/auth/login", #"{"email":"\#(other.email)","password":"\#(TenantFixture.password)"}"#).status == .ok)
        }
    }

    @Test("missing, malformed, expired or foreign tokens are 401")
    func badTokens() async throws {
        try await TestApp.run { client, fixtures in
            let admin = try await fixtures.tenant()
            #expect(try await APICaller(client, token: nil).get("/v1/organizations").status == .unauthorized)
            #expect(try await APICaller(client, token: "garbage").get("/v1/organizations").status == .unauthorized)
            #expect(try await APICaller(client, token: "fl_live_short").get("/v1/organizations").status == .unauthorized)
            let expired = try await fixtures.tokens.issue(userID: admin.userID, tenantID: admin.tenant.id, role: .admin, now: Date().addingTimeInterval(-3600))
            #expect(try await APICaller(client, token: expired.token).get("/v1/organizations").status == .unauthorized)
            let forged = await TokenService(secret: "another-secret-that-is-32-bytes-long!!", ttl: .seconds(900))
            let foreign = try await forged.issue(userID: admin.userID, tenantID: admin.tenant.id, role: .admin)
            #expect(try await APICaller(client, token: foreign.token).get("/v1/organizations").status == .unauthorized)
        }
    }

    @Test("roles: agents read, supervisors model the network, only admins manage users and keys")
    func roles() async throws {
        try await TestApp.run { client, fixtures in
            let admin = try await fixtures.tenant()
            let agent = APICaller(client, try await fixtures.user(in: admin.tenant, role: .agent))
            let supervisor = APICaller(client, try await fixtures.user(in: admin.tenant, role: .supervisor))
            let org = #"{"kind":"company","name":"HQ"}"#
            let denied = try await agent.post("/v1/organizations", org)
            #expect(denied.status == .forbidden)
            #expect(denied.json["error"]["message"].string?.contains("network:write") == true)
            #expect(try await agent.get("/v1/organizations").status == .ok)
            #expect(try await supervisor.post("/v1/organizations", org).status == .created)
            #expect(try await supervisor.post("/v1/teams", #"{"name":"T"}"#).status == .forbidden)
            #expect(try await supervisor.post("/v1/api-keys", #"{"name":"k","scopes":["network:read"]}"#).status == .forbidden)
            let newUser = #"{"email":"new@acme.test","name":"New","role":"agent","password":"long enough password"}"#
            #expect(try await supervisor.post("/v1/users", newUser).status == .forbidden)
            #expect(try await APICaller(client, admin).post("/v1/users", newUser).status == .created)
        }
    }

    @Test("API keys: shown once, hashed, scoped, revocable, last use recorded")
    func apiKeys() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let created = try await admin.post("/v1/api-keys", #"{"name":"SAP","scopes":["network:read"]}"#)
            #expect(created.status == .created)
            let secret = try #require(created.json["key"].string)
            #expect(secret.hasPrefix("fl_live_"))
            #expect(created.json["prefix"].string == String(secret.prefix(12)))
            let keyID = try #require(created.json["id"].string)

            let listed = try await admin.get("/v1/api-keys")
            #expect(listed.json["data"][0]["key"].isNull)
            #expect(!listed.text.contains(secret))
            let stored = try await fixtures.database.client.query("SELECT count(*)::int FROM api_key_lookup WHERE key_hash = sha256(\(secret)::bytea)", logger: fixtures.database.logger)
                .first { try $0.decode(Int.self) }
            #expect(stored == 1)

            let erp = APICaller(client, token: secret)
            #expect(try await erp.get("/v1/organizations").status == .ok)
            let forbidden = try await erp.post("/v1/organizations", #"{"kind":"company","name":"X"}"#)
            #expect(forbidden.status == .forbidden)
            #expect(try await erp.get("/v1/api-keys").status == .forbidden)
            #expect(try await admin.get("/v1/api-keys").json["data"][0]["last_used_at"].string != nil)

            #expect(try await admin.post("/v1/api-keys", #"{"name":"bad","scopes":["api_keys:manage"]}"#).status == .unprocessableContent)
            #expect(try await admin.post("/v1/api-keys", #"{"name":"bad","scopes":[]}"#).status == .unprocessableContent)

            #expect(try await admin.delete("/v1/api-keys/\(keyID)").status == .noContent)
            #expect(try await erp.get("/v1/organizations").status == .unauthorized)
            #expect(try await admin.get("/v1/api-keys").json["data"][0]["revoked_at"].string != nil)
        }
    }
}
