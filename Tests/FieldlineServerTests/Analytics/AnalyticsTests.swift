import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Conversation analytics")
struct AnalyticsTests {
    /// Three conversations whose event and message times are set by hand (all UTC):
    ///
    /// - C1 (member 1): opened 03-02 09:00:00, assigned to team T / agent U 09:00:30, U replies
    ///   09:01:00 (wait 60 s), closed 09:10:00 (duration 600 s). Inbound 09:00, outbound 09:01.
    /// - C2 (member 2): opened 03-02 10:00:00, the admin replies 10:04:00 (wait 240 s) without
    ///   assigning, closed 03-03 10:00:00 (duration 86,400 s). Inbound 10:00, outbound 10:04.
    /// - C3 (member 3): opened and assigned to T / U at 03-03 02:00:00 (23:00 on 03-02 in São
    ///   Paulo), never answered. Inbound 02:00.
    struct History {
        let admin: APICaller
        let fixture: TenantFixture
        let team: String
        let agent: TenantFixture
        let c3: String
    }

    static func history(_ client: any TestClientProtocol, _ fixtures: Fixtures) async throws -> History {
        let fixture = try await fixtures.tenant()
        let admin = APICaller(client, fixture)
        let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
        for n in 1...3 {
            _ = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"M\#(n)","identities":[{"kind":"app","external_id":"m\#(n)"}]}"#)
        }
        let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"App","scopes":["inbound:write"]}"#).json["key"].string)
        let app = APICaller(client, token: key)
        func open(_ n: Int) async throws -> String {
            try #require(try await app.post("/v1/app/messages", #"{"sender":"m\#(n)","provider_message_id":"p\#(n)","text":"hola"}"#).json["conversation_id"].string)
        }
        let team = try #require(try await admin.post("/v1/teams", #"{"name":"Grúas, Sur"}"#).json["id"].string)
        let agent = try await fixtures.user(in: fixture.tenant, role: .agent)
        _ = try await admin.put("/v1/teams/\(team)/members/\(agent.userID)", "{}")
        let agentAPI = APICaller(client, agent)

        let c1 = try await open(1)
        _ = try await admin.post("/v1/conversations/\(c1)/assign", #"{"team_id":"\#(team)","assignee_id":"\#(agent.userID)"}"#)
        #expect(try await agentAPI.post("/v1/conversations/\(c1)/messages", #"{"text":"voy"}"#).status == .created)
        #expect(try await agentAPI.post("/v1/conversations/\(c1)/close", "").status == .ok)
        let c2 = try await open(2)
        #expect(try await admin.post("/v1/conversations/\(c2)/messages", #"{"text":"ok"}"#).status == .created)
        #expect(try await admin.post("/v1/conversations/\(c2)/close", "").status == .ok)
        let c3 = try await open(3)
        _ = try await admin.post("/v1/conversations/\(c3)/assign", #"{"team_id":"\#(team)","assignee_id":"\#(agent.userID)"}"#)

        let times: [(String, String, String)] = [
            (c1, "opened", "2026-03-02T09:00:00Z"), (c1, "assigned", "2026-03-02T09:00:30Z"),
            (c1, "first_human_reply", "2026-03-02T09:01:00Z"), (c1, "closed", "2026-03-02T09:10:00Z"),
            (c1, "inbound", "2026-03-02T09:00:00Z"), (c1, "outbound", "2026-03-02T09:01:00Z"),
            (c2, "opened", "2026-03-02T10:00:00Z"), (c2, "first_human_reply", "2026-03-02T10:04:00Z"),
            (c2, "closed", "2026-03-03T10:00:00Z"), (c2, "inbound", "2026-03-02T10:00:00Z"), (c2, "outbound", "2026-03-02T10:04:00Z"),
            (c3, "opened", "2026-03-03T02:00:00Z"), (c3, "assigned", "2026-03-03T02:00:00Z"), (c3, "inbound", "2026-03-03T02:00:00Z"),
        ]
        try await fixtures.database.withTenant(fixture.tenant.id) { connection in
            for (conversation, kind, at) in times {
                let id = try #require(UUID(uuidString: conversation))
                let statement: PostgresQuery = ["inbound", "outbound"].contains(kind)
                    ? "UPDATE messages SET created_at = \(at)::timestamptz WHERE conversation_id = \(id) AND direction = \(kind)"
                    : "UPDATE conversation_events SET at = \(at)::timestamptz WHERE conversation_id = \(id) AND kind = \(kind)"
                try await connection.query(statement, logger: fixtures.database.logger)
            }
        }
        return History(admin: admin, fixture: fixture, team: team, agent: agent, c3: c3)
    }

    static let period = "from=2026-03-02&to=2026-03-03"

    @Test("per day: counts, average and p90 of first-reply wait and duration, messages in and out")
    func byDay() async throws {
        try await TestApp.run { client, fixtures in
            let history = try await Self.history(client, fixtures)
            let response = try await history.admin.get("/v1/analytics/conversations?\(Self.period)&group_by=day")
            #expect(response.status == .ok)
            #expect(response.json["from"].string == "2026-03-02T00:00:00.000Z")
            #expect(response.json["to"].string == "2026-03-04T00:00:00.000Z")
            #expect(response.json["tz"].string == "UTC")
            let rows = response.json["data"].array
            #expect(rows.map { $0["day"].string } == ["2026-03-02", "2026-03-03"])
            #expect(rows[0]["team_id"] == .null && rows[0]["agent_id"] == .null)
            #expect(rows[0]["conversations_opened"].int == 2)
            #expect(rows[0]["conversations_closed"].int == 1)
            // Waits 60 and 240: mean 150, p90 = 60 + 0.9 × 180 = 222.
            #expect(rows[0]["first_reply_wait_seconds"] == .object(["count": .number(2), "average": .number(150), "p90": .number(222)]))
            #expect(rows[0]["duration_seconds"] == .object(["count": .number(1), "average": .number(600), "p90": .number(600)]))
            #expect(rows[0]["messages_in"].int == 2 && rows[0]["messages_out"].int == 2)
            #expect(rows[1]["conversations_opened"].int == 1)
            #expect(rows[1]["conversations_closed"].int == 1)
            #expect(rows[1]["first_reply_wait_seconds"] == .object(["count": .number(0), "average": .null, "p90": .null]))
            #expect(rows[1]["duration_seconds"]["average"].double == 86_400)
            #expect(rows[1]["messages_in"].int == 1 && rows[1]["messages_out"].int == 0)

            let total = try await history.admin.get("/v1/analytics/conversations?\(Self.period)&group_by=tenant").json["data"].array
            #expect(total.count == 1)
            #expect(total[0]["conversations_opened"].int == 3 && total[0]["conversations_closed"].int == 2)
            // Durations 600 and 86,400: p90 = 600 + 0.9 × 85,800 = 77,820.
            #expect(total[0]["duration_seconds"] == .object(["count": .number(2), "average": .number(43_500), "p90": .number(77_820)]))

            // Days in São Paulo (UTC−3): C3 opened on the evening of 03-02.
            let local = try await history.admin.get("/v1/analytics/conversations?\(Self.period)&tz=America/Sao_Paulo").json
            #expect(local["from"].string == "2026-03-02T03:00:00.000Z")
            #expect(local["data"].array.map { $0["day"].string } == ["2026-03-02", "2026-03-03"])
            #expect(local["data"][0]["conversations_opened"].int == 3)
        }
    }

    @Test("per team and agent: who held the conversation at the time of each fact, from the event log")
    func byTeamAndAgent() async throws {
        try await TestApp.run { client, fixtures in
            let history = try await Self.history(client, fixtures)
            // Moving C3 today must not rewrite March: attribution comes from the log.
            #expect(try await history.admin.post("/v1/conversations/\(history.c3)/assign", #"{"team_id":null,"assignee_id":null}"#).status == .ok)

            let teams = try await history.admin.get("/v1/analytics/conversations?\(Self.period)&group_by=team").json["data"].array
            #expect(teams.map { $0["team_id"].string } == [nil, history.team])
            #expect(teams.map { $0["team_name"].string } == [nil, "Grúas, Sur"])
            // No team: C1 and C2 opened (C1 was assigned 30 s later), C2 closed, C2's reply and
            // the inbound messages of C1 and C2, C2's outbound.
            #expect(teams[0]["conversations_opened"].int == 2 && teams[0]["conversations_closed"].int == 1)
            #expect(teams[0]["first_reply_wait_seconds"]["average"].double == 240)
            #expect(teams[0]["duration_seconds"]["average"].double == 86_400)
            #expect(teams[0]["messages_in"].int == 2 && teams[0]["messages_out"].int == 1)
            #expect(teams[1]["conversations_opened"].int == 1 && teams[1]["conversations_closed"].int == 1)
            #expect(teams[1]["first_reply_wait_seconds"]["average"].double == 60)
            #expect(teams[1]["duration_seconds"]["average"].double == 600)
            #expect(teams[1]["messages_in"].int == 1 && teams[1]["messages_out"].int == 1)

            let agents = try await history.admin.get("/v1/analytics/conversations?\(Self.period)&group_by=agent").json["data"].array
            func row(_ id: UUID?) -> JSON? { agents.first { $0["agent_id"].uuid == id } }
            #expect(agents.count == 3)
            let agent = try #require(row(history.agent.userID))
            #expect(agent["agent_name"].string == "Agent of acme")
            #expect(agent["conversations_opened"].int == 1 && agent["conversations_closed"].int == 1)
            #expect(agent["first_reply_wait_seconds"]["count"].int == 1 && agent["first_reply_wait_seconds"]["average"].double == 60)
            #expect(agent["messages_in"].int == 1 && agent["messages_out"].int == 1)
            let admin = try #require(row(history.fixture.userID))
            #expect(admin["conversations_opened"].int == 0 && admin["first_reply_wait_seconds"]["average"].double == 240)
            #expect(admin["messages_out"].int == 1)
            let nobody = try #require(row(nil))
            #expect(nobody["conversations_opened"].int == 2 && nobody["conversations_closed"].int == 1)
            #expect(nobody["messages_in"].int == 2 && nobody["messages_out"].int == 0)
        }
    }

    @Test("CSV by format=csv or Accept: text/csv, with a header and escaped names")
    func csv() async throws {
        try await TestApp.run { client, fixtures in
            let history = try await Self.history(client, fixtures)
            let response = try await history.admin.get("/v1/analytics/conversations?\(Self.period)&group_by=day,team&format=csv")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = response.text.components(separatedBy: "\r\n")
            #expect(lines[0] == "day,team_id,team_name,conversations_opened,conversations_closed,first_replies,first_reply_wait_avg_seconds,"
                + "first_reply_wait_p90_seconds,duration_avg_seconds,duration_p90_seconds,messages_in,messages_out")
            #expect(lines.contains("2026-03-02,\(history.team),\"Grúas, Sur\",0,1,1,60,60,600,600,0,1"))
            #expect(lines.contains("2026-03-02,,,2,0,1,240,240,,,2,1"))
            #expect(lines.count == 6 && lines.last == "")

            var accept = HTTPFields()
            accept[.accept] = "text/csv"
            let negotiated = try await history.admin.send(.get, "/v1/analytics/conversations?\(Self.period)", headers: accept)
            #expect(negotiated.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(negotiated.text.hasPrefix("day,conversations_opened,"))
        }
    }

    @Test("supervisors, admins and keys with analytics:read may read analytics; agents may not")
    func permissions() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let path = "/v1/analytics/conversations?\(Self.period)"
            #expect(try await admin.get(path).status == .ok)
            #expect(try await APICaller(client, try await fixtures.user(in: fixture.tenant, role: .supervisor)).get(path).status == .ok)
            #expect(try await APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent)).get(path).status == .forbidden)
            let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"BI","scopes":["analytics:read"]}"#).json["key"].string)
            #expect(try await APICaller(client, token: key).get(path).status == .ok)
            let reader = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["conversations:read"]}"#).json["key"].string)
            #expect(try await APICaller(client, token: reader).get(path).status == .forbidden)
            // Another tenant's figures are its own: empty here.
            _ = try await Self.history(client, fixtures)
            let other = APICaller(client, try await fixtures.tenant("globex"))
            #expect(try await other.get(path).json["data"].array.isEmpty)
        }
    }

    /// Bad query strings and the parameter each 400 must name.
    static let badQueries = [
        ("to=2026-03-03", "from"), ("from=2026-03-02", "to"), ("from=2026-03-05&to=2026-03-01", "to"),
        ("from=2025-01-01&to=2026-03-01", "to"), ("from=march&to=2026-03-03", "from"), ("\(period)&group_by=week", "group_by"),
        ("\(period)&tz=Mars/Olympus", "tz"), ("\(period)&tz=%2B03:00", "tz"), ("\(period)&tz=GMT%2B3", "tz"),
        ("\(period)&format=xml", "format"),
    ]

    @Test("bad parameters are 400s naming the parameter")
    func badInput() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            for (query, field) in Self.badQueries {
                let response = try await admin.get("/v1/analytics/conversations?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.json["error"]["field"].string == field, "\(query)")
            }
        }
    }
}
