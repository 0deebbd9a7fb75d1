import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// A flow's handoff, pause and stop on the cluster (`FlowRunTests.handoffAndPause` and
/// `FlowRunsAPITests.closing` on a single PostgreSQL): the updates that choose `ended_at` and
/// `queued_at` without `now()` inside `CASE` or `coalesce()` on Citus.
extension CitusTests {
    @Test("flows on the cluster: too many wrong answers hand the conversation to people, quietly; an agent's reply pauses a new run; closing stops it")
    func flowsHandoffPauseStop() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await Self.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await Self.tenant(fixtures))
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                _ = try await FlowRunTests.network(admin)
                let flow = #"""
                    {"name":"Count","triggers":[{"type":"keyword","keywords":["count"]}],"definition":{"format":1,"start":"n","steps":[
                      {"id":"n","type":"ask_number","text":"How many units?","min":1,"max":3,"retries":1,"save_as":"n","next":"bye"},
                      {"id":"bye","type":"end","text":"Noted {{n}}"}]}}
                    """#
                #expect(try await admin.post("/v1/flows", flow).status == .created)
                func post(_ id: String, _ text: String) async throws {
                    #expect(try await WebhookTests.postSigned(
                        client, hook, WebhookTests.whatsAppText(id: id, from: FlowRunTests.digits, text: text)).status == .ok)
                }
                try await post("wamid.CH1", "count")
                try await post("wamid.CH2", "7")
                #expect(try await FlowRunTests.said(admin).last == "Please answer with a number from 1 to 3.\nHow many units?")
                try await post("wamid.CH3", "lots")
                #expect(try await FlowRunTests.said(admin).last == "Let me pass you to a person who can help.")
                let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
                let handedOff = try await admin.get("/v1/flow-runs?conversation_id=\(conversation)").json["data"][0]
                #expect(handedOff["status"].string == "handed_off", "\(handedOff)")
                #expect(handedOff["ended_at"].string != nil, "\(handedOff)")
                // No team to hand to: the conversation waits in the queue for any agent.
                let queued = try await admin.get("/v1/conversations?queue=unassigned").json["data"].array.compactMap { $0["id"].string }
                #expect(queued == [conversation])
                let quiet = try await FlowRunTests.said(admin).count
                try await post("wamid.CH4", "2")
                #expect(try await FlowRunTests.said(admin).count == quiet, "the bot stays quiet after the handoff")

                // A new run; an agent's reply pauses it (no end time), closing the conversation stops it (one).
                try await post("wamid.CH5", "count")
                #expect(try await FlowRunTests.said(admin).last == "How many units?")
                #expect(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Hi, Dana here"}"#).status == .created)
                try await post("wamid.CH6", "2")
                #expect(try await FlowRunTests.said(admin).last == "Hi, Dana here")
                let runs = try await admin.get("/v1/flow-runs?conversation_id=\(conversation)").json["data"].array
                let paused = try #require(runs.first { $0["status"].string == "paused" }, "\(runs)")
                #expect(paused["ended_at"].isNull, "\(paused)")
                let run = try #require(paused["id"].string)
                #expect(try await admin.post("/v1/conversations/\(conversation)/close", "").status == .ok)
                let stopped = try await admin.get("/v1/flow-runs/\(run)").json
                #expect(stopped["status"].string == "stopped", "\(stopped)")
                #expect(stopped["ended_at"].string != nil, "\(stopped)")
            }
        }
    }

    @Test("flow timers on the cluster: a reminder and a timeout fire from the outbox; the timeout's handoff puts the conversation in the flow's team")
    func flowsTimers() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await Self.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await Self.tenant(fixtures)
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                _ = try await FlowRunTests.network(admin)
                let team = try #require(try await admin.post("/v1/teams", #"{"name":"Dispatch"}"#).json["id"].string)
                let flow = #"""
                    {"name":"Ping","triggers":[{"type":"keyword","keywords":["ping"]}],"definition":{"format":1,"start":"ask","handoff_team_id":"\#(team)","steps":[
                      {"id":"ask","type":"ask_text","text":"Which gate?","save_as":"gate","next":"bye",
                       "reminders":{"after_minutes":30,"max":1,"text":"Still there? Which gate?"},"timeout":{"after_minutes":60,"next":"late"}},
                      {"id":"bye","type":"end","text":"Gate {{gate}}"},
                      {"id":"late","type":"handoff","text":"No answer; a dispatcher will call you."}]}}
                    """#
                #expect(try await admin.post("/v1/flows", flow).status == .created)
                #expect(try await WebhookTests.postSigned(
                    client, hook, WebhookTests.whatsAppText(id: "wamid.CT1", from: FlowRunTests.digits, text: "ping")).status == .ok)
                #expect(try await FlowRunTests.said(admin) == ["Which gate?"])
                #expect(try await FlowTimerTests.elapse("reminder", fixtures, fixture.tenant.id) == 1)
                #expect(try await eventually { try await FlowRunTests.said(admin) == ["Which gate?", "Still there? Which gate?"] })
                #expect(try await FlowTimerTests.elapse("timeout", fixtures, fixture.tenant.id) == 1)
                #expect(try await eventually { try await FlowRunTests.said(admin).last == "No answer; a dispatcher will call you." })
                #expect(try await FlowRunTests.said(admin).count == 3)
                #expect(try await admin.get("/v1/conversations").json["data"][0]["team_id"].string == team)
            }
        }
    }
}
