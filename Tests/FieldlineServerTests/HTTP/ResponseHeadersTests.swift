import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Headers that keep secrets out of caches and JSON out of content sniffing (issue 15).
@Suite("Security headers on responses")
struct ResponseHeadersTests {
    static let nosniff = HTTPField.Name("X-Content-Type-Options")!

    @Test("a login token and a new API key (also when replayed) are Cache-Control: no-store")
    func secretsAreNotStored() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let login = try await APICaller(client, token: nil).post(
                "/v1/auth/login", #"{"email":"\#(fixture.email)","password":"\#(TenantFixture.password)"}"#)
            #expect(login.status == .ok)
            #expect(login.headers[.cacheControl] == "no-store")
            let body = #"{"name":"SAP export","scopes":["network:read"]}"#
            let created = try await admin.post("/v1/api-keys", body, headers: [.idempotencyKey: "key-1"])
            #expect(created.status == .created)
            #expect(created.json["key"].string?.hasPrefix("fl_live_") == true, "\(created.text)")
            #expect(created.headers[.cacheControl] == "no-store")
            let replayed = try await admin.post("/v1/api-keys", body, headers: [.idempotencyKey: "key-1"])
            #expect(replayed.headers[.idempotentReplayed] == "true")
            #expect(replayed.headers[.cacheControl] == "no-store")
            #expect(try await admin.get("/v1/api-keys").headers[.cacheControl] == nil)
        }
    }

    @Test("JSON answers, errors included, carry X-Content-Type-Options: nosniff")
    func nosniff() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            for response in [
                try await admin.get("/v1/organizations"),
                try await admin.get("/v1/organizations/\(UUID())"),
                try await admin.get("/v1/no-such-route"),
                try await admin.post("/v1/organizations", "{not json"),
                try await APICaller(client, token: nil).get("/v1/organizations"),
            ] {
                #expect(response.headers[Self.nosniff] == "nosniff", "\(response.status) \(response.text)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }
}
