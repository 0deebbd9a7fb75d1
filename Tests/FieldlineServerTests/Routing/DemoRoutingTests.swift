import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("The demo tenant's routing")
struct DemoRoutingTests {
    @Test("the demo network routes a crew's 'grúa' message to Dispatch and gives it to Dana, who is online")
    func demoRoutes() async throws {
        try await TestApp.run { client, fixtures in
            try await Self.routesToDana(client, try #require(try await fixtures.provisioning.seedDemo()))
        }
    }

    /// A crew member's "grúa" message goes to the demo's Dispatch team and to Dana, who is
    /// online: the welcome she sends is the demo's, and she and the demo's admin, each signed in
    /// with `demo`'s password, find the conversation in their queue. Shared with
    /// `CitusTests.demoFromTheCommandLine`.
    static func routesToDana(_ client: any TestClientProtocol, _ demo: DemoCredentials) async throws {
        let api = APICaller(client, token: demo.apiKey)
        let lucia = try #require(try await api.get("/v1/members?q=Luc%C3%ADa").json["data"].array.first?["id"].string)
        #expect(try await api.post("/v1/members/\(lucia)/identities", #"{"kind":"app","external_id":"lucia-phone"}"#).status == .created)
        let sent = try await api.post("/v1/app/messages", #"{"sender":"lucia-phone","provider_message_id":"d-1","text":"Necesito una GRUA en el km 3"}"#)
        let conversation = try #require(sent.json["conversation_id"].string)
        let state = try await api.get("/v1/conversations/\(conversation)").json
        let teams = try await api.get("/v1/teams").json["data"].array
        #expect(state["team_id"].string == teams.first { $0["name"].string == "Dispatch" }?["id"].string)
        let users = try await api.get("/v1/users").json["data"].array
        #expect(state["assignee_id"].string == users.first { $0["name"].string == "Dana Dispatcher" }?["id"].string)
        let texts = try await api.get("/v1/conversations/\(conversation)/messages").json["data"].array.compactMap { $0["text"].string }
        #expect(texts.first == "Te atiende Dana Dispatcher (Dispatch).")

        for (email, password) in [(demo.agentEmail, demo.agentPassword), (demo.adminEmail, demo.adminPassword)] {
            let login = try await APICaller(client, token: nil).post(
                "/v1/auth/login", #"{"email":"\#(try #require(email))","password":"\#(try #require(password))"}"#)
            #expect(login.status == .ok, "\(login.text)")
            let queue = try await APICaller(client, token: login.json["token"].string).get("/v1/conversations").json["data"].array
            #expect(queue.compactMap { $0["id"].string } == [conversation], "\(email ?? "")")
        }
    }
}
