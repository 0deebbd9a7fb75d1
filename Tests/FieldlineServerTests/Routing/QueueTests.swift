import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Routing: capacity, availability, strategies and the queue")
struct QueueTests {
    static let keywordSetup = #"{"enabled":true,"queue_message":"Posición {position}, unos {eta_minutes} min.","assignment_message":"Te atiende {agent_name}."}"#

    /// The keyword setup: a rule sending "grua" to `team`, and `members` members m1, m2, …
    static func setUp(_ desk: RoutingDesk, team: String, members: Int) async throws {
        try await desk.settings(Self.keywordSetup)
        _ = try await desk.rule(#"{"team_id":"\#(team)","label":"Grúas","keywords":["grua"]}"#)
        for index in 1...members { try await desk.member("m\(index)") }
    }

    @Test("agents at capacity or offline are skipped; the rest wait with their position; freed places go oldest first")
    func capacityAndQueue() async throws {
        try await TestApp.run { client, fixtures in
            try await Self.capacityAndQueue(client, try await RoutingDesk.make(client, fixtures))
        }
    }

    /// Agents at capacity or offline are skipped, the rest of the conversations wait with their
    /// position, a closed conversation frees a place for the oldest and an agent coming online
    /// takes the last. Shared with `CitusTests.routingQueue`.
    static func capacityAndQueue(_ client: any TestClientProtocol, _ desk: RoutingDesk) async throws {
        let team = try await desk.team("Grúas", #"{"expected_handle_minutes":6}"#)
        let busy = try await desk.agent(in: team, capacity: 1)
        let away = try await desk.agent(in: team, online: false)
        try await Self.setUp(desk, team: team, members: 3)

        let first = try await desk.write("m1", "grúa")
        let second = try await desk.write("m2", "grua por favor")
        let third = try await desk.write("m3", "GRÚA")
        #expect(try await desk.conversation(first)["assignee_id"].string == busy.userID.uuidString.lowercased())
        #expect(try await desk.conversation(second)["assignee_id"].isNull)
        // One online agent, no assignments measured yet: 6 minutes per place.
        #expect(try await desk.systemTexts(second) == ["Posición 1, unos 6 min."])
        #expect(try await desk.systemTexts(third) == ["Posición 2, unos 12 min."])
        let queue = try await desk.admin.get("/v1/teams/\(team)/queue").json["data"].array
        #expect(queue.map { $0["conversation_id"].string } == [second, third])
        #expect(queue.map { $0["position"].int } == [1, 2])

        // Closing the busy agent's conversation frees a place: the oldest waiting one takes it.
        #expect(try await desk.admin.post("/v1/conversations/\(first)/close", "").status == .ok)
        #expect(try await desk.conversation(second)["assignee_id"].string == busy.userID.uuidString.lowercased())
        #expect(try await desk.conversation(third)["assignee_id"].isNull)

        // The away agent comes online (by themself): the last one goes to them.
        let online = try await APICaller(client, away).put("/v1/users/\(away.userID)/availability", #"{"availability":"online"}"#)
        #expect(online.status == .ok)
        #expect(online.json["open_conversations"].int == 1)
        #expect(try await desk.conversation(third)["assignee_id"].string == away.userID.uuidString.lowercased())
        #expect(try await desk.admin.get("/v1/teams/\(team)/queue").json["data"].array.isEmpty)
    }

    @Test("round-robin takes turns; least-busy fills the lightest agent first")
    func strategies() async throws {
        try await TestApp.run { client, fixtures in
            try await Self.strategies(try await RoutingDesk.make(client, fixtures))
        }
    }

    /// Round-robin takes turns between two agents; least-busy then fills the lightest one first.
    /// Shared with `CitusTests.routingKeywordsAndStrategies`.
    static func strategies(_ desk: RoutingDesk) async throws {
        let team = try await desk.team("Grúas")
        let a = try await desk.agent(in: team)
        let b = try await desk.agent(in: team)
        try await Self.setUp(desk, team: team, members: 6)
        var owners: [String?] = []
        for index in 1...4 { owners.append(try await desk.conversation(try await desk.write("m\(index)", "grua"))["assignee_id"].string) }
        #expect(owners[0] != owners[1] && owners[0] == owners[2] && owners[1] == owners[3])
        #expect(Set(owners.compactMap { $0 }) == [a.userID.uuidString.lowercased(), b.userID.uuidString.lowercased()])

        // b's two conversations close: least-busy gives the next two to b.
        let conversations = try await desk.admin.get("/v1/conversations?queue=all").json["data"].array
        for conversation in conversations where conversation["assignee_id"].string == b.userID.uuidString.lowercased() {
            _ = try await desk.admin.post("/v1/conversations/\(conversation["id"].string ?? "")/close", "")
        }
        #expect(try await desk.admin.put("/v1/teams/\(team)/routing", #"{"assignment_strategy":"least_busy"}"#).status == .ok)
        let fifth = try await desk.conversation(try await desk.write("m5", "grua"))
        let sixth = try await desk.conversation(try await desk.write("m6", "grua"))
        #expect(fifth["assignee_id"].string == b.userID.uuidString.lowercased())
        #expect(sixth["assignee_id"].string == b.userID.uuidString.lowercased())
    }

    @Test("out of hours: the member is told when the team opens, and the queue runs when it does")
    func businessHours() async throws {
        try await TestApp.run(configure: { $0.outboxPollInterval = .milliseconds(20) }) { client, fixtures in
            try await Self.businessHours(try await RoutingDesk.make(client, fixtures))
        }
    }

    /// Out of the team's hours the member is told when it opens and a `routing.drain` is queued
    /// for that opening; when it comes, the queue runs. Reads and moves only the desk tenant's
    /// outbox rows, so it runs beside other tenants (`CitusTests.routingBusinessHours`); needs
    /// a fast outbox poll.
    static func businessHours(_ desk: RoutingDesk) async throws {
        let fixtures = desk.fixtures
        let tenantID = desk.fixture.tenant.id
        // Open every day but today (in Madrid), 09:00–17:00.
        let madrid = TimeZone(identifier: "Europe/Madrid")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = madrid
        let today = calendar.component(.weekday, from: Date())
        let days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
        let hours = days.enumerated().filter { $0.offset + 1 != today }
            .map { #"{"day":"\#($0.element)","open":"09:00","close":"17:00"}"# }.joined(separator: ",")
        let team = try await desk.team("Grúas", #"{"time_zone":"Europe/Madrid","business_hours":[\#(hours)]}"#)
        let agent = try await desk.agent(in: team)
        let routing = try await desk.admin.get("/v1/teams/\(team)/routing").json
        #expect(routing["open_now"].bool == false)
        let nextOpening = try #require(routing["next_opening"].string)
        try await desk.settings(#"{"enabled":true,"out_of_hours_message":"{team_name} abre el {next_open}."}"#)
        _ = try await desk.rule(#"{"team_id":"\#(team)","label":"Grúas","keywords":["grua"]}"#)
        try await desk.member("m1")

        let conversation = try await desk.write("m1", "grua")
        #expect(try await desk.conversation(conversation)["assignee_id"].isNull)
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: Date()))!
        let parts = calendar.dateComponents([.year, .month, .day], from: tomorrow)
        let expected = String(format: "Grúas abre el %04d-%02d-%02d 09:00.", parts.year!, parts.month!, parts.day!)
        #expect(try await desk.systemTexts(conversation) == [expected])
        let scheduled = try await fixtures.database.client.query(
            "SELECT available_at FROM outbox WHERE tenant_id = \(tenantID) AND topic = 'routing.drain'", logger: fixtures.database.logger
        ).collect { try $0.decode(Date.self) }
        #expect(scheduled.count == 1)
        #expect(scheduled.first.map { RFC3339.format($0) } == nextOpening)

        // Opening time comes (the team's hours now cover every day; the scheduled run is due).
        try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query("UPDATE teams SET business_hours = NULL WHERE tenant_id = \(tenantID) AND id = \(UUID(uuidString: team)!)", logger: fixtures.database.logger)
        }
        _ = try await fixtures.database.client.query(
            "UPDATE outbox SET available_at = now() WHERE tenant_id = \(tenantID) AND topic = 'routing.drain'", logger: fixtures.database.logger
        ).collect { _ in () }
        #expect(try await eventually { try await desk.conversation(conversation)["assignee_id"].string == agent.userID.uuidString.lowercased() })
    }
}
