import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Flows: runs over /v1/flow-runs, on the conversation and on the stream")
struct FlowRunsAPITests {
    /// Two questions, then thanks; a wrong number with no retries hands off.
    static let countDefinition = #"""
        {"format":1,"start":"n","steps":[
          {"id":"n","type":"ask_number","text":"How many units?","min":1,"max":3,"retries":0,"save_as":"n","next":"who"},
          {"id":"who","type":"ask_text","text":"Your name?","save_as":"who","next":"bye"},
          {"id":"bye","type":"end","text":"Noted {{n}}, {{who}}"}]}
        """#
    static let twoQuestions = #"{"name":"Count","triggers":[{"type":"keyword","keywords":["count"]}],"definition":\#(countDefinition)}"#

    @Test("start for a member and job, see it on the conversation, list with filters, pause, resume, stop; errors name the field")
    func lifecycle() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                _ = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let (member, job) = try await FlowRunTests.network(admin)
                let proof = try #require(try await admin.get("/v1/flows").json["data"].array.first { $0["name"].string == "Proof of service" }?["id"].string)

                // Bad requests name the field.
                let cases: [(String, String, Int, String?, String)] = [
                    (proof, "{}", 422, "member_id", "missing_field"),
                    (proof, #"{"member_id":"\#(UUID())","job_id":"\#(job)"}"#, 422, "member_id", "unknown_reference"),
                    (proof, #"{"member_id":"\#(member)","job_id":"\#(UUID())"}"#, 422, "job_id", "unknown_reference"),
                    (proof, #"{"member_id":"\#(member)"}"#, 422, "job_id", "missing_field"),
                    (proof, #"{"member_id":"\#(member)","conversation_id":"\#(UUID())"}"#, 422, "conversation_id", "unknown_reference"),
                    (proof, #"{"member_id":"not-a-uuid"}"#, 422, "member_id", "invalid_field"),
                    (proof, #"{"member_id":"\#(member)","crew":"x"}"#, 422, "crew", "unknown_field"),
                    (UUID().uuidString, #"{"member_id":"\#(member)"}"#, 404, nil, "not_found"),
                ]
                for (flow, body, status, field, code) in cases {
                    let response = try await admin.post("/v1/flows/\(flow)/runs", body)
                    #expect(Int(response.status.code) == status, "\(body): \(response.text)")
                    #expect(response.json["error"]["field"].string == field, "\(body): \(response.text)")
                    #expect(response.json["error"]["code"].string == code, "\(body): \(response.text)")
                }

                let started = try await admin.post("/v1/flows/\(proof)/runs", #"{"member_id":"\#(member)","job_id":"\#(job)"}"#)
                #expect(started.status == .created, "\(started.text)")
                let run = try #require(started.json["id"].string)
                #expect(started.headers[.location] == "/v1/flow-runs/\(run)")
                #expect(started.json["status"].string == "waiting")
                #expect(started.json["step_id"].string == "photos")
                #expect(started.json["version"].int == 1)
                #expect(started.json["flow_name"].string == "Proof of service")
                #expect(started.json["job_id"].string == job)
                #expect(started.json["variables"]["order_number"].string == "PO-1001")
                #expect(started.json["variables"]["crew_code"].string == "GS-01")
                #expect(started.json["started_by"].string?.hasPrefix("user:") == true)
                #expect(started.json["history"].array.map { $0["event"].string } == ["start"])
                #expect(try await FlowRunTests.said(admin) == ["Job PO-1001: please send 1 to 5 photos of the finished work."])

                // The conversation shows the run and its step.
                let conversation = try #require(started.json["conversation_id"].string)
                let shown = try await admin.get("/v1/conversations/\(conversation)")
                #expect(shown.json["flow_run"]["id"].string == run, "\(shown.text)")
                #expect(shown.json["flow_run"]["step_id"].string == "photos")
                #expect(shown.json["flow_run"]["status"].string == "waiting")
                #expect(try await admin.get("/v1/conversations").json["data"][0]["flow_run"]["flow_name"].string == "Proof of service")

                let again = try await admin.post("/v1/flows/\(proof)/runs", #"{"conversation_id":"\#(conversation)","job_id":"\#(job)"}"#)
                #expect(again.status == .conflict)
                #expect(again.json["error"]["code"].string == "run_under_way")
                #expect(again.json["error"]["field"].string == "conversation_id")

                // Lists and their filters.
                for query in ["", "?flow_id=\(proof)", "?status=waiting", "?member_id=\(member)", "?job_id=\(job)", "?conversation_id=\(conversation)"] {
                    let list = try await admin.get("/v1/flow-runs\(query)")
                    #expect(list.status == .ok)
                    #expect(list.json["data"].array.map { $0["id"].string } == [run], "\(query): \(list.text)")
                    #expect(list.json["data"][0]["history"].isNull, "lists leave the history out")
                }
                for query in ["?status=completed", "?flow_id=\(UUID())", "?member_id=\(UUID())"] {
                    #expect(try await admin.get("/v1/flow-runs\(query)").json["data"].array.isEmpty, "\(query)")
                }
                let badStatus = try await admin.get("/v1/flow-runs?status=sleeping")
                #expect(badStatus.status == .badRequest)
                #expect(badStatus.json["error"]["field"].string == "status")
                #expect(try await admin.get("/v1/flow-runs/\(UUID())").status == .notFound)
                #expect(try await admin.get("/v1/flow-runs/nope").status == .notFound)

                // An agent's reply pauses it; resume asks the step again; stop ends it.
                #expect(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Hi, Dana here"}"#).status == .created)
                let paused = try await admin.get("/v1/flow-runs/\(run)")
                #expect(paused.json["status"].string == "paused")
                #expect(paused.json["history"].array.last?["event"].string == "pause")
                #expect(paused.json["history"].array.last?["actor"].string?.hasPrefix("user:") == true)
                #expect(try await admin.get("/v1/conversations/\(conversation)").json["flow_run"]["status"].string == "paused")
                let resumed = try await admin.post("/v1/flow-runs/\(run)/resume", "")
                #expect(resumed.status == .ok, "\(resumed.text)")
                #expect(resumed.json["status"].string == "waiting" && resumed.json["step_id"].string == "photos")
                #expect(try await FlowRunTests.said(admin).last == "Job PO-1001: please send 1 to 5 photos of the finished work.")
                let notPaused = try await admin.post("/v1/flow-runs/\(run)/resume", "")
                #expect(notPaused.status == .conflict && notPaused.json["error"]["code"].string == "run_not_paused")
                let stopped = try await admin.post("/v1/flow-runs/\(run)/stop", "")
                #expect(stopped.status == .ok)
                #expect(stopped.json["status"].string == "stopped")
                #expect(stopped.json["step_id"].isNull && stopped.json["ended_at"].string != nil)
                #expect(stopped.json["history"].array.map { $0["event"].string } == ["start", "pause", "resume", "stop"])
                #expect(try await admin.post("/v1/flow-runs/\(run)/stop", "").json["error"]["code"].string == "run_over")
                #expect(try await admin.get("/v1/conversations/\(conversation)").json["flow_run"].isNull)
                #expect(try await admin.get("/v1/flow-runs?status=stopped").json["data"].array.count == 1)

                // A flow turned off does not run; a key that may only read may not start one.
                let count = try #require(try await admin.post("/v1/flows", Self.twoQuestions).json["id"].string)
                #expect(try await admin.post("/v1/flows/\(count)/versions", #"{"enabled":false,"definition":\#(Self.countDefinition)}"#).status == .created)
                let off = try await admin.post("/v1/flows/\(count)/runs", #"{"member_id":"\#(member)"}"#)
                #expect(off.status == .conflict && off.json["error"]["code"].string == "flow_disabled", "\(off.text)")
                let key = try #require(try await admin.post("/v1/api-keys", #"{"name":"Read","scopes":["conversations:read"]}"#).json["key"].string)
                #expect(try await APICaller(client, token: key).post("/v1/flows/\(proof)/runs", #"{"member_id":"\#(member)","job_id":"\#(job)"}"#).status == .forbidden)
                #expect(try await APICaller(client, token: key).get("/v1/flow-runs/\(run)").status == .ok)
            }
        }
    }

    @Test("closing the conversation stops its run; a closed conversation takes no new run")
    func closing() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await StreamTests.desk(client, fixtures)
            let flow = try #require(try await desk.admin.post("/v1/flows", Self.twoQuestions).json["id"].string)
            let conversation = try await desk.send("c-1", "count")
            let run = try #require(try await desk.admin.get("/v1/flow-runs?conversation_id=\(conversation)").json["data"][0]["id"].string)
            #expect(try await desk.admin.post("/v1/conversations/\(conversation)/close", "").status == .ok)
            let stopped = try await desk.admin.get("/v1/flow-runs/\(run)")
            #expect(stopped.json["status"].string == "stopped")
            #expect(stopped.json["history"].array.last?["actor"].string?.hasPrefix("user:") == true)
            let closed = try await desk.admin.post("/v1/flows/\(flow)/runs", #"{"conversation_id":"\#(conversation)"}"#)
            #expect(closed.status == .conflict && closed.json["error"]["code"].string == "conversation_closed")
            // For the member, a new run opens a new conversation.
            let fresh = try await desk.admin.post("/v1/flows/\(flow)/runs", #"{"member_id":"\#(desk.memberIDs[0])"}"#)
            #expect(fresh.status == .created, "\(fresh.text)")
            #expect(fresh.json["conversation_id"].string != conversation)
        }
    }

    @Test("a run in a conversation the member has not written in yet goes out through the adapter they last wrote from")
    func newConversationSendsThroughLastAdapter() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let (member, _) = try await FlowRunTests.network(admin)
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.N1", from: FlowRunTests.digits, text: "hola")).status == .ok)
                let first = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
                #expect(try await admin.post("/v1/conversations/\(first)/close", "").status == .ok)
                let flow = try #require(try await admin.post("/v1/flows", Self.twoQuestions).json["id"].string)
                let started = try await admin.post("/v1/flows/\(flow)/runs", #"{"member_id":"\#(member)"}"#)
                #expect(started.status == .created, "\(started.text)")
                let conversation = try #require(started.json["conversation_id"].string)
                #expect(conversation != first)
                #expect(try await eventually {
                    let sent = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                    return sent["delivery_status"].string == "sent" && sent["provider"].string == "whatsapp"
                })
                #expect(await log.requests.contains { $0.path.hasSuffix("/messages") && $0.body.contains("How many units?") })
            }
        }
    }

    /// Stream events until one of `type` (inclusive), at most 20.
    static func until(_ type: String, _ inbox: StreamInbox) async throws -> [JSON] {
        var seen: [JSON] = []
        for _ in 0..<20 {
            let event = try await inbox.next()
            seen.append(event)
            if event["type"].string == type { return seen }
        }
        Issue.record("no \(type) in \(seen.map { $0["type"].string ?? "?" })")
        return seen
    }

    @Test("the stream says when a run starts, advances, is paused, hands off and ends")
    func stream() async throws {
        try await TestApp.runLive { client, fixtures in
            let desk = try await StreamTests.desk(client, fixtures)
            #expect(try await desk.admin.post("/v1/flows", Self.twoQuestions).status == .created)
            try await withStream(client, token: desk.fixture.token) { inbox, _ in
                let conversation = try await desk.send("s-1", "count")
                var events = try await Self.until("flow_run.started", inbox)
                let started = try #require(events.last)
                #expect(started["conversation_id"].string == conversation)
                #expect(started["data"]["step_id"].string == "n" && started["data"]["status"].string == "waiting")
                let run = try #require(started["data"]["flow_run_id"].string)
                events = try await inbox.events(1)
                #expect(events[0]["type"].string == "message.created" && events[0]["message"]["text"].string == "How many units?",
                        "the start comes before the run's first message")

                _ = try await desk.send("s-2", "2")
                let advanced = try #require(try await Self.until("flow_run.advanced", inbox).last)
                #expect(advanced["data"]["flow_run_id"].string == run && advanced["data"]["step_id"].string == "who")
                _ = try await desk.send("s-3", "Ana")
                let ended = try #require(try await Self.until("flow_run.ended", inbox).last)
                #expect(ended["data"]["status"].string == "completed" && ended["data"]["step_id"].isNull)

                _ = try await desk.send("s-4", "count")
                _ = try await Self.until("flow_run.started", inbox)
                #expect(try await desk.admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Let me help"}"#).status == .created)
                let paused = try #require(try await Self.until("flow_run.advanced", inbox).last)
                #expect(paused["data"]["status"].string == "paused")
                let second = try #require(paused["data"]["flow_run_id"].string)
                #expect(try await desk.admin.post("/v1/flow-runs/\(second)/stop", "").status == .ok)
                let stopped = try #require(try await Self.until("flow_run.ended", inbox).last)
                #expect(stopped["data"]["status"].string == "stopped" && stopped["data"]["flow_run_id"].string == second)

                _ = try await desk.send("s-5", "count")
                _ = try await Self.until("flow_run.started", inbox)
                _ = try await desk.send("s-6", "9")
                let handedOff = try #require(try await Self.until("flow_run.handed_off", inbox).last)
                #expect(handedOff["data"]["status"].string == "handed_off")
            }
        }
    }
}
