import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// A tenant set up for routing tests: members who write through the app adapter, teams and agents.
struct RoutingDesk {
    let client: any TestClientProtocol
    let fixtures: Fixtures
    let fixture: TenantFixture
    let admin: APICaller
    let app: APICaller
    let organizationID: String

    /// The desk in `fixture`'s tenant (a new tenant `acme` by default; the Citus suite passes one of its own).
    static func make(_ client: any TestClientProtocol, _ fixtures: Fixtures, fixture: TenantFixture? = nil) async throws -> RoutingDesk {
        let fixture = if let fixture { fixture } else { try await fixtures.tenant() }
        let admin = APICaller(client, fixture)
        let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Sur"}"#).json["id"].string)
        let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
        return RoutingDesk(client: client, fixtures: fixtures, fixture: fixture, admin: admin, app: APICaller(client, token: key), organizationID: org)
    }

    /// A member with the app identity `sender`.
    func member(_ sender: String) async throws {
        let created = try await admin.post("/v1/members", #"{"organization_id":"\#(organizationID)","name":"\#(sender)","identities":[{"kind":"app","external_id":"\#(sender)"}]}"#)
        try #require(created.status == .created)
    }

    /// The member `sender` writes `text`; returns the conversation id.
    @discardableResult
    func write(_ sender: String, _ text: String) async throws -> String {
        let response = try await app.post("/v1/app/messages", #"{"sender":"\#(sender)","provider_message_id":"\#(UUID())","text":"\#(text)"}"#)
        return try #require(response.json["conversation_id"].string)
    }

    func team(_ name: String, _ routing: String? = nil) async throws -> String {
        let id = try #require(try await admin.post("/v1/teams", #"{"name":"\#(name)"}"#).json["id"].string)
        if let routing { try #require(try await admin.put("/v1/teams/\(id)/routing", routing).status == .ok) }
        return id
    }

    /// An agent in `team`, online or not, with a capacity.
    func agent(in team: String, online: Bool = true, capacity: Int = 10) async throws -> TenantFixture {
        let agent = try await fixtures.user(in: fixture.tenant, role: .agent)
        try #require(try await admin.put("/v1/teams/\(team)/members/\(agent.userID)", "{}").status == .ok)
        let body = #"{"availability":"\#(online ? "online" : "offline")","max_open_conversations":\#(capacity)}"#
        try #require(try await admin.put("/v1/users/\(agent.userID)/availability", body).status == .ok)
        return agent
    }

    func settings(_ body: String) async throws {
        let response = try await admin.put("/v1/routing", body)
        try #require(response.status == .ok, "\(response.text)")
    }

    func rule(_ body: String) async throws -> String {
        let response = try await admin.post("/v1/routing/rules", body)
        try #require(response.status == .created, "\(response.text)")
        return try #require(response.json["id"].string)
    }

    func conversation(_ id: String) async throws -> JSON {
        try await admin.get("/v1/conversations/\(id)").json
    }

    /// The texts Fieldline itself sent the member, oldest first.
    func systemTexts(_ conversation: String) async throws -> [String] {
        try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
            .filter { $0["kind"].string == "system" }.compactMap { $0["text"].string }.reversed()
    }
}
