import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Behaviours found missing in review of the first network endpoints.
@Suite("Network edge cases")
struct NetworkEdgeCaseTests {
    @Test("an API key with users:write cannot create or promote an admin, nor use /users/me")
    func keysCannotMintAdmins() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let secret = try #require(try await admin.post("/v1/api-keys", #"{"name":"HR sync","scopes":["users:write","users:read"]}"#).json["key"].string)
            let key = APICaller(client, token: secret)
            let mint = try await key.post("/v1/users", #"{"email":"evil@acme.test","name":"E","role":"admin","password":"long enough password"}"#)
            #expect(mint.status == .forbidden)
            let agent = try await key.post("/v1/users", #"{"email":"ok@acme.test","name":"A","role":"agent","password":"long enough password"}"#)
            #expect(agent.status == .created)
            let promote = try await key.patch("/v1/users/\(try #require(agent.json["id"].string))", #"{"role":"admin"}"#)
            #expect(promote.status == .forbidden)
            let me = try await key.get("/v1/users/me")
            #expect(me.status == .forbidden)
            #expect(me.json["error"]["code"].string == "not_a_user")
        }
    }

    @Test("a member moved to another organization leaves the old organization's crews")
    func movingMemberLeavesCrews() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let first = try #require(try await api.post("/v1/organizations", #"{"kind":"subcontractor","name":"One"}"#).json["id"].string)
            let second = try #require(try await api.post("/v1/organizations", #"{"kind":"subcontractor","name":"Two"}"#).json["id"].string)
            let member = try #require(try await api.post("/v1/members", #"{"organization_id":"\#(first)","name":"M"}"#).json["id"].string)
            let crew = try #require(try await api.post("/v1/crews", #"{"organization_id":"\#(first)","name":"C","crew_code":"ONE-1","member_ids":["\#(member)"]}"#).json["id"].string)
            let moved = try await api.patch("/v1/members/\(member)", #"{"organization_id":"\#(second)"}"#)
            #expect(moved.json["organization_id"].string == second)
            #expect(moved.json["crew_ids"].array.isEmpty)
            #expect(try await api.get("/v1/crews/\(crew)").json["member_ids"].array.isEmpty)
        }
    }

    @Test("searching by a phone number without identity_kind matches WhatsApp and SMS identities")
    func phoneSearchWithoutKind() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            let org = try #require(try await api.post("/v1/organizations", #"{"kind":"customer","name":"Store"}"#).json["id"].string)
            let member = try #require(try await api.post("/v1/members", #"{"organization_id":"\#(org)","name":"Owner","identities":[{"kind":"sms","external_id":"+351912345678"}]}"#).json["id"].string)
            let found = try await api.get("/v1/members?external_id=00351%20912%20345%20678")
            #expect(found.json["data"].array.map { $0["id"].string } == [member])
        }
    }

    @Test("next_cursor and error.field are explicit nulls; empty strings clear optional text; PUT needs no body")
    func nullsAndEmptyBodies() async throws {
        try await TestApp.run { client, fixtures in
            let api = APICaller(client, try await fixtures.tenant())
            #expect(try await api.get("/v1/organizations").text.contains(#""next_cursor":null"#))
            #expect(try await api.post("/v1/organizations", "{not json").text.contains(#""field":null"#))
            let org = try #require(try await api.post("/v1/organizations", #"{"kind":"company","name":"HQ","external_ref":"SAP-1"}"#).json["id"].string)
            #expect(try await api.get("/v1/organizations/\(org)").json["external_ref"].string == "SAP-1")
            let cleared = try await api.patch("/v1/organizations/\(org)", #"{"external_ref":""}"#)
            #expect(cleared.status == .ok)
            #expect(cleared.json["external_ref"].isNull)
            let team = try #require(try await api.post("/v1/teams", #"{"name":"T"}"#).json["id"].string)
            let me = try #require(try await api.get("/v1/users/me").json["id"].string)
            let joined = try await api.send(.put, "/v1/teams/\(team)/members/\(me)")
            #expect(joined.status == .ok)
            #expect(joined.json["role"].string == "member")
        }
    }
}
