import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Full-text search")
struct SearchTests {
    /// A network with two members in different branches, each writing through the app adapter.
    struct Network {
        let admin: APICaller
        let app: APICaller
        let fixture: TenantFixture
        /// The parent of `ana`'s organization.
        let holding: String
        let ana: String
        let bea: String

        /// Posts a member's message; returns its conversation id.
        func say(_ sender: String, _ id: String, _ text: String) async throws -> String {
            let response = try await app.post("/v1/app/messages", #"{"sender":"\#(sender)","provider_message_id":"\#(id)","text":"\#(text)"}"#)
            return try #require(response.json["conversation_id"].string)
        }

        /// The texts of a search's hits, in order.
        func texts(_ query: String, as caller: APICaller? = nil) async throws -> [String?] {
            try await (caller ?? admin).get("/v1/search?\(query)").json["data"].array.map { $0["message"]["text"].string }
        }
    }

    static func network(_ client: any TestClientProtocol, _ fixtures: Fixtures, slug: String = "acme") async throws -> Network {
        let fixture = try await fixtures.tenant(slug)
        let admin = APICaller(client, fixture)
        func id(_ response: TestResponse) throws -> String { try #require(response.json["id"].string) }
        let holding = try id(try await admin.post("/v1/organizations", #"{"kind":"company","name":"Holding"}"#))
        let tow = try id(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas","parent_id":"\#(holding)"}"#))
        let other = try id(try await admin.post("/v1/organizations", #"{"kind":"partner","name":"Instaladora"}"#))
        let ana = try id(try await admin.post("/v1/members", #"{"organization_id":"\#(tow)","name":"Ana","identities":[{"kind":"app","external_id":"ana"}]}"#))
        let bea = try id(try await admin.post("/v1/members", #"{"organization_id":"\#(other)","name":"Bea","identities":[{"kind":"app","external_id":"bea"}]}"#))
        let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
        return Network(admin: admin, app: APICaller(client, token: key), fixture: fixture, holding: holding, ana: ana, bea: bea)
    }

    @Test("accent- and case-insensitive, with stemming in Spanish, Portuguese and English")
    func languages() async throws {
        try await TestApp.run { client, fixtures in
            let net = try await Self.network(client, fixtures)
            let first = try await net.say("ana", "1", "El camión llegó con la grúa")
            _ = try await net.say("ana", "2", "The trucks were delivered to the depot")
            _ = try await net.say("bea", "3", "Instalação concluída no cliente")
            _ = try await net.say("bea", "4", "Fotografías enviadas")

            let hits = try await net.admin.get("/v1/search?q=CAMION")
            #expect(hits.status == .ok)
            #expect(hits.json["data"].array.map { $0["message"]["text"].string } == ["El camión llegó con la grúa"])
            #expect(hits.json["data"][0]["conversation"]["id"].string == first)
            #expect(hits.json["data"][0]["conversation"]["member_id"].string == net.ana)
            #expect(hits.json["next_cursor"].isNull)
            #expect(try await net.texts("q=camiones") == ["El camión llegó con la grúa"])
            #expect(try await net.texts("q=gr%C3%BAas") == ["El camión llegó con la grúa"])
            #expect(try await net.texts("q=instala%C3%A7%C3%B5es") == ["Instalação concluída no cliente"])
            #expect(try await net.texts("q=instalacao") == ["Instalação concluída no cliente"])
            #expect(try await net.texts("q=truck%20delivering") == ["The trucks were delivered to the depot"])
            #expect(try await net.texts("q=fotografia") == ["Fotografías enviadas"])
            // Web-search syntax: phrases, or, exclusion.
            #expect(try await net.texts("q=%22camion%20llego%22") == ["El camión llegó con la grúa"])
            #expect(try await net.texts("q=%22llego%20camion%22").isEmpty)
            #expect(try await net.texts("q=camion%20or%20fotografia") == ["Fotografías enviadas", "El camión llegó con la grúa"])
            #expect(try await net.texts("q=camion%20-grua").isEmpty)
            #expect(try await net.texts("q=bicicleta").isEmpty)
        }
    }

    @Test("filters: organization subtree, member, tag, status, direction and dates; cursor pages")
    func filters() async throws {
        try await TestApp.run { client, fixtures in
            let net = try await Self.network(client, fixtures)
            let archived = try await net.say("ana", "1", "Entrega del pedido 1")
            _ = try await net.admin.post("/v1/conversations/\(archived)/notes", #"{"text":"Entrega pagada en efectivo"}"#)
            _ = try await net.admin.put("/v1/conversations/\(archived)/tags/urgente", "")
            _ = try await net.admin.post("/v1/conversations/\(archived)/close", "")
            let current = try await net.say("ana", "2", "Entrega del pedido 2")
            _ = try await net.admin.post("/v1/conversations/\(current)/messages", #"{"text":"Entrega confirmada"}"#)
            _ = try await net.say("bea", "3", "Entrega de material")

            #expect(try await net.texts("q=entrega") == [
                "Entrega de material", "Entrega confirmada", "Entrega del pedido 2", "Entrega pagada en efectivo", "Entrega del pedido 1",
            ])
            #expect(try await net.texts("q=entrega&organization_id=\(net.holding)") == [
                "Entrega confirmada", "Entrega del pedido 2", "Entrega pagada en efectivo", "Entrega del pedido 1",
            ])
            #expect(try await net.texts("q=entrega&member_id=\(net.bea)") == ["Entrega de material"])
            #expect(try await net.texts("q=entrega&tag=URGENTE") == ["Entrega pagada en efectivo", "Entrega del pedido 1"])
            #expect(try await net.texts("q=entrega&status=closed") == ["Entrega pagada en efectivo", "Entrega del pedido 1"])
            #expect(try await net.texts("q=entrega&direction=internal") == ["Entrega pagada en efectivo"])
            #expect(try await net.texts("q=entrega&direction=outbound") == ["Entrega confirmada"])
            #expect(try await net.texts("q=entrega&organization_id=\(UUID())").isEmpty)

            // Dates: move the archived conversation's messages to January.
            try await fixtures.database.withTenant(net.fixture.tenant.id) { connection in
                try await connection.query("""
                    UPDATE messages SET created_at = '2026-01-15T12:00:00Z' WHERE conversation_id = \(UUID(uuidString: archived)!)
                    """, logger: fixtures.database.logger)
            }
            #expect(try await net.texts("q=entrega&from=2026-01-15&to=2026-01-15") == ["Entrega pagada en efectivo", "Entrega del pedido 1"])
            #expect(try await net.texts("q=entrega&from=2026-01-15T12:00:00Z&to=2026-01-15T12:00:00.001Z").count == 2)
            #expect(try await net.texts("q=entrega&to=2026-01-15T12:00:00Z").isEmpty)
            #expect(try await net.texts("q=entrega&from=2026-01-16").count == 3)

            let first = try await net.admin.get("/v1/search?q=entrega&limit=2")
            #expect(first.json["data"].array.count == 2)
            let cursor = try #require(first.json["next_cursor"].string)
            let second = try await net.admin.get("/v1/search?q=entrega&limit=2&cursor=\(cursor)")
            #expect(second.json["data"].array.map { $0["message"]["text"].string } == ["Entrega del pedido 2", "Entrega pagada en efectivo"])
        }
    }

    @Test("agents find only what their team visibility shows; other tenants find nothing")
    func visibility() async throws {
        try await TestApp.run { client, fixtures in
            let net = try await Self.network(client, fixtures)
            let teamOnly = try await net.say("ana", "1", "Avería en la bomba")
            _ = try await net.say("bea", "2", "Avería resuelta")
            let team = try #require(try await net.admin.post("/v1/teams", #"{"name":"Bombas"}"#).json["id"].string)
            let insider = try await fixtures.user(in: net.fixture.tenant, role: .agent)
            _ = try await net.admin.put("/v1/teams/\(team)/members/\(insider.userID)", "{}")
            #expect(try await net.admin.post("/v1/conversations/\(teamOnly)/assign", #"{"team_id":"\#(team)"}"#).status == .ok)

            let outsider = APICaller(client, try await fixtures.user(in: net.fixture.tenant, role: .agent))
            #expect(try await net.texts("q=averia", as: outsider) == ["Avería resuelta"])
            #expect(try await net.texts("q=averia", as: APICaller(client, insider)) == ["Avería resuelta", "Avería en la bomba"])
            #expect(try await net.texts("q=averia") == ["Avería resuelta", "Avería en la bomba"])

            let stranger = try await Self.network(client, fixtures, slug: "globex")
            #expect(try await net.texts("q=averia", as: stranger.admin).isEmpty)
            let reader = try #require(try await net.admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["conversations:read"]}"#).json["key"].string)
            #expect(try await net.texts("q=averia", as: APICaller(client, token: reader)).count == 2)
            #expect(try await net.app.get("/v1/search?q=averia").status == .forbidden)
            #expect(try await APICaller(client, token: nil).get("/v1/search?q=averia").status == .unauthorized)
        }
    }

    /// Bad query strings and the parameter each 400 must name.
    static let badQueries = [
        ("", "q"), ("q=%20%20", "q"), ("q=" + String(repeating: "a", count: 201), "q"), ("q=%21%21%21", "q"),
        ("q=%2C%20%2E", "q"), ("q=grua&from=yesterday", "from"), ("q=grua&to=2026-02-30", "to"),
        ("q=grua&from=2026-02-02&to=2026-02-01", "to"), ("q=grua&status=archived", "status"), ("q=grua&direction=sideways", "direction"),
        ("q=grua&member_id=nope", "member_id"), ("q=grua&tag=no%20spaces", "tag"), ("q=grua&limit=0", "limit"), ("q=grua&cursor=xyz", "cursor"),
    ]

    @Test("bad queries are clear 400s naming the parameter")
    func badInput() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            for (query, field) in Self.badQueries {
                let response = try await admin.get("/v1/search?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.json["error"]["field"].string == field, "\(query)")
            }
        }
    }
}
