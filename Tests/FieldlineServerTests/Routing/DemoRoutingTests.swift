import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("The demo tenant's routing")
struct DemoRoutingTests {
    @Test("the demo network routes a crew's 'grúa' message to Dispatch and gives it to Dana, who is online")
    func demoRoutes() async throws {
        try await TestApp.run { client, fixtures in
            let demo = try #require(try await fixtures.provisioning.seedDemo())
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
        }
    }
}
