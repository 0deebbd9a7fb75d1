import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Flows: the bot is quiet at once when a person takes over")
struct FlowTakeoverTests {
    static let ping = #"""
        {"name":"Ping","triggers":[{"type":"keyword","keywords":["ping"]}],"definition":{"format":1,"start":"ask","steps":[
          {"id":"ask","type":"ask_text","text":"Which gate?","save_as":"gate","next":"bye",
           "reminders":{"after_minutes":30,"max":2},"timeout":{"after_minutes":60,"next":"late"}},
          {"id":"bye","type":"end","text":"Gate {{gate}}"},
          {"id":"late","type":"handoff","text":"No answer; a dispatcher will call you."}]}}
        """#

    /// Whether every `flow.timer` row of the tenant that is due has been worked.
    static func timersSettled(_ fixtures: Fixtures, _ tenant: UUID) async throws -> Bool {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query("""
                SELECT count(*)::int FROM outbox WHERE tenant_id = \(tenant) AND topic = 'flow.timer'
                  AND available_at <= now() AND done_at IS NULL AND dead_at IS NULL
                """, logger: fixtures.database.logger
            ).first { try $0.decode(Int.self) } == 0
        }
    }

    /// A tenant with a WhatsApp adapter, the crew network and the Ping flow; its admin and hook.
    static func pingDesk(_ client: any TestClientProtocol, _ fixtures: Fixtures) async throws -> (TenantFixture, APICaller, String) {
        let fixture = try await fixtures.tenant()
        let admin = APICaller(client, fixture)
        let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
        _ = try await FlowRunTests.network(admin)
        #expect(try await admin.post("/v1/flows", Self.ping).status == .created)
        return (fixture, admin, hook)
    }

    @Test("after an agent's reply neither the run's reminders, nor its timeout, nor the member's answer make the bot speak")
    func agentReplySilencesTheBot() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let (fixture, admin, hook) = try await Self.pingDesk(client, fixtures)
                func member(_ id: String, _ text: String) async throws {
                    #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: id, from: FlowRunTests.digits, text: text)).status == .ok)
                }
                try await member("wamid.Q1", "ping")
                #expect(try await FlowRunTests.said(admin) == ["Which gate?"])
                let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
                #expect(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Dana here, I will help you"}"#).status == .created)

                // Both timers fall due after the takeover: neither says anything.
                #expect(try await FlowTimerTests.elapse("reminder", fixtures, fixture.tenant.id) == 1)
                #expect(try await FlowTimerTests.elapse("timeout", fixtures, fixture.tenant.id) == 1)
                #expect(try await eventually { try await Self.timersSettled(fixtures, fixture.tenant.id) })
                try await member("wamid.Q2", "Gate 4")
                #expect(try await FlowRunTests.said(admin) == ["Which gate?", "Dana here, I will help you"])
                let run = try await admin.get("/v1/flow-runs").json["data"][0]
                #expect(run["status"].string == "paused" && run["step_id"].string == "ask")
                #expect(run["variables"]["gate"].isNull, "the member's answer went to the person, not the bot")
                let inbound = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                #expect(inbound["direction"].string == "inbound" && inbound["text"].string == "Gate 4")
                // Exactly the two messages went to the provider: no reminder, no handoff text.
                #expect(try await eventually { await log.requests.filter { $0.path.hasSuffix("/messages") }.count == 2 })
                try await Task.sleep(for: .milliseconds(300))
                #expect(await log.requests.filter { $0.path.hasSuffix("/messages") }.count == 2)
            }
        }
    }

    @Test("after a handoff the member's next messages and the step's pending timers say nothing")
    func handoffSilencesTheBot() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let (fixture, admin, hook) = try await Self.pingDesk(client, fixtures)
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.R1", from: FlowRunTests.digits, text: "ping")).status == .ok)
                // The hour is up: the timeout hands off; the reminder that falls due after it is stale.
                #expect(try await FlowTimerTests.elapse("timeout", fixtures, fixture.tenant.id) == 1)
                #expect(try await eventually { try await FlowRunTests.said(admin).last == "No answer; a dispatcher will call you." })
                #expect(try await FlowTimerTests.elapse("reminder", fixtures, fixture.tenant.id) == 1)
                #expect(try await eventually { try await Self.timersSettled(fixtures, fixture.tenant.id) })
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.R2", from: FlowRunTests.digits, text: "Gate 4")).status == .ok)
                #expect(try await FlowRunTests.said(admin) == ["Which gate?", "No answer; a dispatcher will call you."])
                let run = try await admin.get("/v1/flow-runs").json["data"][0]
                #expect(run["status"].string == "handed_off" && run["step_id"].isNull)
                #expect(try await admin.get("/v1/conversations").json["data"][0]["flow_run"].isNull)
            }
        }
    }
}
