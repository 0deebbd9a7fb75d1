import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Flows: reminders and timeouts live in PostgreSQL")
struct FlowTimerTests {
    /// Makes the tenant's pending `flow.timer` rows of `kind` due now, as if their minutes had passed.
    static func elapse(_ kind: String, _ fixtures: Fixtures, _ tenant: UUID) async throws -> Int {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query("""
                UPDATE outbox SET available_at = now() WHERE tenant_id = \(tenant) AND topic = 'flow.timer'
                  AND payload->>'kind' = \(kind) AND done_at IS NULL AND dead_at IS NULL RETURNING id
                """, logger: fixtures.database.logger
            ).collect { _ in 1 }.count
        }
    }

    @Test("a reminder and then a timeout fire from a freshly built server after the first one stopped")
    func afterRestart() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.withDatabase { settings, fixtures in
                let fixture = try await fixtures.tenant()
                var config = testConfig(database: settings)
                ProviderTestSupport.configure(baseURL)(&config)
                let frozen = config
                let first = try await buildApplication(config: frozen, logger: TestDatabase.logger)
                try await first.test(.router) { (client: any TestClientProtocol) async throws -> Void in
                    let admin = APICaller(client, fixture)
                    let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                    _ = try await FlowRunTests.network(admin)
                    let flow = #"""
                        {"name":"Ping","triggers":[{"type":"keyword","keywords":["ping"]}],"definition":{"format":1,"start":"ask","steps":[
                          {"id":"ask","type":"ask_text","text":"Which gate?","save_as":"gate","next":"bye",
                           "reminders":{"after_minutes":30,"max":1,"text":"Still there? Which gate?"},"timeout":{"after_minutes":60,"next":"late"}},
                          {"id":"bye","type":"end","text":"Gate {{gate}}"},
                          {"id":"late","type":"handoff","text":"No answer; a dispatcher will call you."}]}}
                        """#
                    #expect(try await admin.post("/v1/flows", flow).status == .created)
                    #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.T1", from: FlowRunTests.digits, text: "ping")).status == .ok)
                    #expect(try await FlowRunTests.said(admin) == ["Which gate?"])
                }
                // The first server is gone; its timers wait in PostgreSQL. Half an hour passes.
                #expect(try await Self.elapse("reminder", fixtures, fixture.tenant.id) == 1)
                let second = try await buildApplication(config: frozen, logger: TestDatabase.logger)
                try await second.test(.router) { (client: any TestClientProtocol) async throws -> Void in
                    let admin = APICaller(client, fixture)
                    #expect(try await eventually { try await FlowRunTests.said(admin) == ["Which gate?", "Still there? Which gate?"] })
                    // The hour is up: the timeout's branch hands off, once.
                    #expect(try await Self.elapse("timeout", fixtures, fixture.tenant.id) == 1)
                    #expect(try await eventually { try await FlowRunTests.said(admin).last == "No answer; a dispatcher will call you." })
                    #expect(try await FlowRunTests.said(admin).count == 3)
                }
            }
        }
    }
}
