import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
@testable import FieldlineServer

/// A request with an `Idempotency-Key` whose server dies mid-work (issue 15): the retry must
/// succeed, and the work must be done exactly once.
@Suite("Idempotency-Key after a crash")
struct IdempotencyCrashTests {
    @Test("a key its dead server left in progress is taken over by a retry once the in-progress bound has passed, and the work runs once")
    func staleClaimTakenOver() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let body = #"{"name":"ERP","scopes":["jobs:read"]}"#
            // What an instance killed mid-request leaves: the key claimed, never completed or released
            // (POST /v1/api-keys claims its key in a transaction of its own).
            #expect(!IdempotencyMiddleware.singleTransactionRoutes.contains("/v1/api-keys"))
            let principal = Principal.user(fixture.userID, tenantID: fixture.tenant.id, role: .admin)
            let crashed = PostgresIdempotencyRepository(database: fixtures.database)
            let hash = IdempotencyMiddleware.fingerprint(method: "POST", path: "/v1/api-keys", body: ByteBuffer(string: body))
            guard case .claimed = try await crashed.claim(key: "key-1", requestHash: hash, principal: principal) else {
                Issue.record("the key was not free")
                return
            }
            let key: HTTPFields = [.idempotencyKey: "key-1"]
            // Within the bound the first request may still be running: refused.
            let early = try await admin.post("/v1/api-keys", body, headers: key)
            #expect(early.status == .conflict)
            #expect(early.json["error"]["code"].string == "idempotency_key_in_progress")
            // Past the bound (120 s by default) the claim is a dead server's.
            try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                try await connection.query("""
                    UPDATE idempotency_keys SET created_at = now() - interval '121 seconds'
                    WHERE tenant_id = \(fixture.tenant.id) AND key = 'key-1'
                    """, logger: fixtures.database.logger)
            }
            let retry = try await admin.post("/v1/api-keys", body, headers: key)
            #expect(retry.status == .created)
            #expect(retry.headers[.idempotentReplayed] == nil)
            let again = try await admin.post("/v1/api-keys", body, headers: key)
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(again.json["id"] == retry.json["id"])
            #expect(try await admin.get("/v1/api-keys").json["data"].array.filter { $0["name"].string == "ERP" }.count == 1)
            // A claim of a different request under the key is still a mismatch, however old.
            let other = try await admin.post("/v1/api-keys", #"{"name":"Other","scopes":["jobs:read"]}"#, headers: key)
            #expect(other.status == .unprocessableContent)
        }
    }
}
