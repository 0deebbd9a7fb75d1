import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Routing: welcome menu, rules, fallback and assignment")
struct RoutingTests {
    static let settings = #"""
        {"enabled":true,"welcome_message":"¡Hola! Elige una opción:\n{menu}","fallback_message":"No te entendí.",
         "assignment_message":"Te atiende {agent_name} ({team_name}).","queue_message":"Eres el número {position} en {team_name}; espera unos {eta_minutes} min."}
        """#

    @Test("a new conversation gets the numbered menu; the member's number routes it to the team's online agent")
    func welcomeMenuThenChoice() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await RoutingDesk.make(client, fixtures)
            let support = try await desk.team("Soporte")
            let billing = try await desk.team("Facturación")
            let agent = try await desk.agent(in: support)
            try await desk.settings(Self.settings)
            _ = try await desk.rule(#"{"team_id":"\#(support)","label":"Soporte técnico","menu_number":1,"keywords":["camión"]}"#)
            _ = try await desk.rule(#"{"team_id":"\#(billing)","label":"Facturas","menu_number":2}"#)
            try await desk.member("ana")

            let conversation = try await desk.write("ana", "Buenas")
            #expect(try await desk.systemTexts(conversation) == ["¡Hola! Elige una opción:\n1. Soporte técnico\n2. Facturas"])
            var state = try await desk.conversation(conversation)
            #expect(state["routing_state"].string == "awaiting_choice")
            #expect(state["team_id"].isNull)

            try await desk.write("ana", " 1. ")
            state = try await desk.conversation(conversation)
            #expect(state["team_id"].string == support)
            #expect(state["assignee_id"].string == agent.userID.uuidString.lowercased())
            #expect(state["routing_state"].string == "assigned")
            let agentName = "Agent of acme"
            #expect(try await desk.systemTexts(conversation).last == "Te atiende \(agentName) (Soporte).")
            #expect(try await APICaller(client, agent).get("/v1/conversations?queue=mine").json["data"].array.map { $0["id"].string } == [conversation])

            // Routed once: later messages do not re-run it, and a manual transfer does not either.
            try await desk.write("ana", "2")
            #expect(try await desk.conversation(conversation)["team_id"].string == support)
            _ = try await desk.admin.post("/v1/conversations/\(conversation)/assign", #"{"team_id":"\#(billing)","assignee_id":null}"#)
            try await desk.write("ana", "hola otra vez")
            let after = try await desk.conversation(conversation)
            #expect(after["team_id"].string == billing && after["assignee_id"].isNull)
            #expect(try await desk.systemTexts(conversation).count == 2)

            let events = try await fixtures.database.withTenant(desk.fixture.tenant.id) { connection in
                try await connection.query(
                    "SELECT kind, coalesce(data->>'by', '') FROM conversation_events ORDER BY id", logger: fixtures.database.logger
                ).collect { try $0.decode((String, String).self) }
            }
            #expect(events.map(\.0) == ["opened", "routed", "assigned", "transferred"])
            #expect(events[2].1 == "routing")
        }
    }

    @Test("keywords route the first message directly, ignoring case and accents; no match gets the fallback and its team")
    func keywordsAndFallback() async throws {
        try await TestApp.run { client, fixtures in
            try await Self.keywordsAndFallback(try await RoutingDesk.make(client, fixtures))
        }
    }

    /// Keywords route a first message directly, ignoring case and accents; a message that
    /// matches nothing gets the menu, then the fallback and its team. Shared with
    /// `CitusTests.routingKeywordsAndStrategies`.
    static func keywordsAndFallback(_ desk: RoutingDesk) async throws {
        let support = try await desk.team("Soporte")
        let general = try await desk.team("General")
        try await desk.settings(#"{"enabled":true,"welcome_message":"Menú:","fallback_message":"No entendí. {menu}","fallback_team_id":"\#(general)"}"#)
        _ = try await desk.rule(#"{"team_id":"\#(support)","label":"Averías","menu_number":1,"keywords":["Camión","grua rota"]}"#)
        try await desk.member("ana")
        try await desk.member("luis")

        let direct = try await desk.write("ana", "El CAMION no arranca")
        #expect(try await desk.conversation(direct)["team_id"].string == support)
        #expect(try await desk.systemTexts(direct).isEmpty)  // no agent online, no queue message configured

        let lost = try await desk.write("luis", "hola")
        #expect(try await desk.systemTexts(lost) == ["Menú:\n\n1. Averías"])
        try await desk.write("luis", "quiero hablar con alguien")
        let state = try await desk.conversation(lost)
        #expect(state["team_id"].string == general)
        #expect(state["routing_state"].string == "queued")
        #expect(try await desk.systemTexts(lost).last == "No entendí. 1. Averías")
    }

    @Test("routing disabled: nothing is sent and conversations stay unassigned")
    func disabled() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await RoutingDesk.make(client, fixtures)
            let support = try await desk.team("Soporte")
            _ = try await desk.agent(in: support)
            _ = try await desk.rule(#"{"team_id":"\#(support)","label":"Soporte","keywords":["camion"]}"#)
            try await desk.member("ana")
            let conversation = try await desk.write("ana", "camion")
            let state = try await desk.conversation(conversation)
            #expect(state["team_id"].isNull && state["assignee_id"].isNull && state["routing_state"].string == "none")
            #expect(try await desk.admin.get("/v1/routing").json["enabled"].bool == false)
        }
    }
}
