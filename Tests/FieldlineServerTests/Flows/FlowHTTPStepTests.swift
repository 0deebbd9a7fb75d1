import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Flows: the http step calls out through the outbound guard")
struct FlowHTTPStepTests {
    /// A flow that checks the member's order in an ERP at `base` and says what it found.
    static func checkOrder(_ base: String) -> String {
        #"""
        {"name":"Check order","triggers":[{"type":"keyword","keywords":["check"]}],"definition":{"format":1,"start":"check","steps":[
          {"id":"check","type":"http","method":"GET","url":"\#(base)/erp/orders/{{order_number}}","headers":{"authorization":"Bearer erp-key"},
           "timeout_seconds":5,"save_as":"order","next":"open","on_error":"down"},
          {"id":"open","type":"branch","variable":"order.body.open","cases":[{"equals":"true","next":"yes"}],"otherwise":"no"},
          {"id":"yes","type":"end","text":"Order {{order_number}} is open for {{order.body.customer}}."},
          {"id":"no","type":"end","text":"Order {{order_number}} is closed."},
          {"id":"down","type":"end","text":"Could not check order {{order_number}} now."}]}}
        """#
    }

    /// The variables of the tenant's only run of `flow`, once it is over.
    static func finishedRun(_ admin: APICaller, _ flow: String) async throws -> JSON {
        #expect(try await eventually {
            try await admin.get("/v1/flow-runs?flow_id=\(flow)").json["data"][0]["status"].string == "completed"
        })
        return try await admin.get("/v1/flow-runs?flow_id=\(flow)").json["data"][0]
    }

    /// A crew member writes "check" from WhatsApp, in a tenant in development mode, and the
    /// `checkOrder` flow calls the fake ERP at `baseURL` with its header, branches on the JSON it
    /// answers and records the call in the run's history. Shared by this suite and
    /// `CitusTests.flowsHTTPStep`, which run it on one PostgreSQL and on the cluster.
    static func developmentModeScenario(
        _ client: any TestClientProtocol, _ fixtures: Fixtures, _ fixture: TenantFixture, baseURL: String, log: FakeProviderLog
    ) async throws {
        await log.serve("/erp/orders/PO-1001", .json(#"{"open":true,"customer":"Acme"}"#, authorization: "Bearer erp-key"))
        try await WebhookDeliveryTests.developmentMode(fixtures, fixture.tenant.id)
        let admin = APICaller(client, fixture)
        let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
        _ = try await FlowRunTests.network(admin)
        let flow = try #require(try await admin.post("/v1/flows", Self.checkOrder(baseURL)).json["id"].string)
        #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.E1", from: FlowRunTests.digits, text: "check")).status == .ok)
        let run = try await Self.finishedRun(admin, flow)
        #expect(try await FlowRunTests.said(admin) == ["Order PO-1001 is open for Acme."])
        #expect(run["variables"]["order"]["status"].int == 200)
        #expect(run["variables"]["order"]["body"]["customer"].string == "Acme")
        #expect(await log.gets("/erp/orders/PO-1001").map(\.authorization) == ["Bearer erp-key"], "called once, with its header")
        let history = try await admin.get("/v1/flow-runs/\(try #require(run["id"].string))").json["history"].array
        #expect(history.map { $0["event"].string } == ["start", "http_result"])
        #expect(history.last?["actor"].string == "http")
    }

    @Test("in development mode the step calls a local server with its headers and branches on the JSON it answers")
    func localServerInDevelopmentMode() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                try await Self.developmentModeScenario(client, fixtures, try await fixtures.tenant(), baseURL: baseURL, log: log)
            }
        }
    }

    @Test("without development mode a name that resolves to 127.0.0.1 is refused: nothing is called and the run takes on_error")
    func privateAddressRefused() async throws {
        try await FakeProvider.run { baseURL, log in
            await log.serve("/erp/orders/PO-1001", .json(#"{"open":true,"customer":"Acme"}"#))
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                _ = try await FlowRunTests.network(admin)
                // `localhost` is a name: the guard refuses it for the address it resolves to.
                let local = baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
                #expect(local != baseURL)
                let flow = try #require(try await admin.post("/v1/flows", Self.checkOrder(local)).json["id"].string)
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.E2", from: FlowRunTests.digits, text: "check")).status == .ok)
                let run = try await Self.finishedRun(admin, flow)
                #expect(try await FlowRunTests.said(admin) == ["Could not check order PO-1001 now."])
                #expect(run["variables"]["order"]["status"].int == 0)
                #expect(run["variables"]["order"]["body"].string?.hasPrefix("refused") == true, "\(run["variables"])")
                #expect(await log.gets("/erp/orders/PO-1001").isEmpty, "the ERP was never called")
            }
        }
    }
}
