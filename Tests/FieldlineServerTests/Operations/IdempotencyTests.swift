import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Idempotency-Key")
struct IdempotencyTests {
    @Test("a retried create returns the first response and creates nothing new")
    func replay() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let body = #"{"kind":"company","name":"HQ"}"#
            let first = try await api.post("/v1/organizations", body, headers: [.idempotencyKey: "create-hq-1"])
            let second = try await api.post("/v1/organizations", body, headers: [.idempotencyKey: "create-hq-1"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.json == first.json)
            #expect(second.headers[.idempotentReplayed] == "true")
            #expect(first.headers[.idempotentReplayed] == nil)
            #expect(try await api.get("/v1/organizations").json["data"].array.count == 1)

            let reused = try await api.post("/v1/organizations", #"{"kind":"company","name":"Other"}"#, headers: [.idempotencyKey: "create-hq-1"])
            #expect(reused.status == .unprocessableContent)
            #expect(reused.json["error"]["code"].string == "idempotency_key_reused")

            // Without a key, or with a new one, a create really creates.
            #expect(try await api.post("/v1/organizations", body).status == .created)
            #expect(try await api.post("/v1/organizations", body, headers: [.idempotencyKey: "create-hq-2"]).status == .created)
            #expect(try await api.get("/v1/organizations").json["data"].array.count == 3)
        }
    }

    @Test("failed requests are not stored, so the same key can be retried after fixing them")
    func failuresAreNotStored() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let bad = try await api.post("/v1/organizations", #"{"kind":"bank","name":"HQ"}"#, headers: [.idempotencyKey: "k1"])
            #expect(bad.status == .unprocessableContent)
            let fixed = try await api.post("/v1/organizations", #"{"kind":"bank","name":"HQ"}"#.replacingOccurrences(of: "bank", with: "company"), headers: [.idempotencyKey: "k1"])
            #expect(fixed.status == .created)
        }
    }

    @Test("keys are per caller: another user's identical key is independent")
    func perCaller() async throws {
        try await TestApp.run { client, fixtures in
            let first = APICaller(client, try await fixtures.tenant())
            let second = APICaller(client, try await fixtures.tenant(role: .supervisor))
            let body = #"{"kind":"company","name":"HQ"}"#
            let a = try await first.post("/v1/organizations", body, headers: [.idempotencyKey: "same"])
            let b = try await second.post("/v1/organizations", body, headers: [.idempotencyKey: "same"])
            #expect(a.json["id"] != b.json["id"])
            #expect(b.headers[.idempotentReplayed] == nil)
            let long = String(repeating: "k", count: 256)
            #expect(try await first.post("/v1/organizations", body, headers: [.idempotencyKey: long]).status == .badRequest)
        }
    }
}
