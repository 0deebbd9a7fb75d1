import FieldlineDomain
import Foundation
import Testing

/// A flow from JSON, as the API receives it.
func flow(_ json: String) throws -> FlowDefinition {
    try JSONDecoder().decode(FlowDefinition.self, from: Data(json.utf8))
}

/// The proof-of-service shape: photos, location, confirm, attach, end.
let proofFlowJSON = """
{"format": 1, "start": "photos", "steps": [
  {"id": "photos", "type": "ask_photo", "text": "Job {{order_number}} done? Send 1 to 5 photos.", "min_count": 1, "max_count": 5,
   "save_as": "photos", "next": "where", "reminders": {"after_minutes": 30, "max": 2}, "timeout": {"after_minutes": 240, "next": "late"}},
  {"id": "where", "type": "ask_location", "text": "Now share your location.", "save_as": "place", "next": "confirm"},
  {"id": "confirm", "type": "ask_choice", "text": "Send {{photos}} photos for {{order_number}}?", "save_as": "ok",
   "choices": [{"id": "yes", "title": "Yes", "next": "attach"}, {"id": "no", "title": "No", "next": "photos"}]},
  {"id": "attach", "type": "attach_proof", "photos_from": "photos", "location_from": "place", "next": "thanks"},
  {"id": "thanks", "type": "end", "text": "Thanks, received {{photos}} photos for {{order_number}} (crew {{crew_code}})."},
  {"id": "late", "type": "handoff", "text": "An agent will follow up."}
]}
"""

@Suite("Flow definitions: validation names the step and the field")
struct FlowValidationTests {
    @Test("the proof flow is valid")
    func valid() throws {
        #expect(FlowValidator.problems(try flow(proofFlowJSON)).isEmpty)
    }

    @Test("unknown step, unknown type, missing transition, unreachable step, choice without target")
    func graphProblems() throws {
        let bad = try flow("""
        {"format": 1, "start": "a", "steps": [
          {"id": "a", "type": "ask_text", "text": "Name?", "save_as": "name", "next": "nowhere"},
          {"id": "b", "type": "teleport"},
          {"id": "c", "type": "set", "variable": "x", "value": "1"},
          {"id": "d", "type": "ask_choice", "text": "Pick", "save_as": "p", "choices": [{"id": "1", "title": "One"}]}
        ]}
        """)
        let problems = FlowValidator.problems(bad)
        let found = Set(problems.map { "\($0.code) \($0.field ?? "")" })
        #expect(found.contains("unknown_step steps.a.next"))
        #expect(found.contains("unknown_step_type steps.b.type"))
        #expect(found.contains("missing_transition steps.c.next"))
        #expect(found.contains("choice_without_target steps.d.choices[0].next"))
        #expect(problems.allSatisfy { $0.message.hasPrefix("step '") })
    }

    @Test("a step no path reaches is refused")
    func unreachable() throws {
        let bad = try flow("""
        {"format": 1, "start": "a", "steps": [{"id": "a", "type": "end"}, {"id": "lonely", "type": "end"}]}
        """)
        #expect(FlowValidator.problems(bad).map { "\($0.code) \($0.field ?? "")" } == ["unreachable_step steps.lonely"])
    }

    @Test("a variable used where some path reaches it unset is refused; set on every path is fine")
    func variables() throws {
        let bad = try flow("""
        {"format": 1, "start": "ask", "steps": [
          {"id": "ask", "type": "ask_text", "text": "Name?", "save_as": "name", "next": "hi",
           "timeout": {"after_minutes": 5, "next": "hi"}},
          {"id": "hi", "type": "end", "text": "Hi {{name}} from {{member_name}}"}]}
        """)
        let problems = FlowValidator.problems(bad)
        #expect(problems.map { "\($0.code) \($0.field ?? "")" } == ["variable_not_set steps.hi.text"])
        var fixed = bad
        fixed.steps[0].timeout = nil
        #expect(FlowValidator.problems(fixed).isEmpty)
        let own = try flow("""
        {"format": 1, "start": "ask", "steps": [{"id": "ask", "type": "ask_text", "text": "Again, {{name}}?", "save_as": "name", "next": "e"}, {"id": "e", "type": "end"}]}
        """)
        #expect(FlowValidator.problems(own).map(\.field) == ["steps.ask.text"])
    }

    @Test("fields: format, ranges, http url with its host written out")
    func fields() throws {
        #expect(FlowValidator.problems(try flow(#"{"format": 2, "start": "a", "steps": [{"id": "a", "type": "end"}]}"#)).map(\.field) == ["format"])
        let bad = try flow("""
        {"format": 1, "start": "n", "steps": [
          {"id": "n", "type": "ask_number", "text": "How many?", "save_as": "n", "min": 5, "max": 1, "next": "h"},
          {"id": "h", "type": "http", "url": "https://{{host}}/x", "save_as": "r", "next": "e", "on_error": "e", "timeout_seconds": 90},
          {"id": "e", "type": "end"}]}
        """)
        let fields = FlowValidator.problems(bad).map { $0.field ?? "" }
        #expect(fields.contains("steps.n.min") && fields.contains("steps.h.url") && fields.contains("steps.h.timeout_seconds"))
        let good = try flow("""
        {"format": 1, "start": "h", "steps": [
          {"id": "h", "type": "http", "method": "GET", "url": "https://erp.example.com/orders/{{order_number}}", "save_as": "order", "next": "b", "on_error": "e"},
          {"id": "b", "type": "branch", "variable": "order.body.valid", "cases": [{"equals": "true", "next": "e"}], "otherwise": "e"},
          {"id": "e", "type": "end", "text": "{{order.status}}"}]}
        """)
        #expect(FlowValidator.problems(good).isEmpty)
    }
}

@Suite("Flow engine: what happens next for a run's state and an answer")
struct FlowEngineTests {
    let context: [String: FlowValue] = ["order_number": .string("PO-1001"), "crew_code": .string("GS-01"), "member_name": .string("Ana")]

    func texts(_ outcome: FlowOutcome) -> [String] {
        outcome.actions.compactMap { if case .send(let out) = $0 { out.content.text } else { nil } }
    }

    @Test("the proof flow end to end: photos across messages, location, confirm, attach, thanks")
    func proofFlow() throws {
        let engine = FlowEngine(definition: try flow(proofFlowJSON))
        var outcome = engine.handle(.start, FlowRunState(variables: context))
        #expect(texts(outcome) == ["Job PO-1001 done? Send 1 to 5 photos."])
        #expect(outcome.actions.contains(.schedule(FlowTimer(kind: .reminder, visit: 1, minutes: 30))))
        #expect(outcome.actions.contains(.schedule(FlowTimer(kind: .timeout, visit: 1, minutes: 240))))
        outcome = engine.handle(.answer(FlowAnswer(kind: .image, messageID: "m1")), outcome.state)
        #expect(texts(outcome) == ["Received 1 photo. Send more (up to 5) or reply Done."])
        outcome = engine.handle(.answer(FlowAnswer(kind: .image, messageID: "m2")), outcome.state)
        outcome = engine.handle(.answer(FlowAnswer(kind: .image, messageID: "m2")), outcome.state) // a retried webhook counts once
        #expect(outcome.state.variables["photos"]?.strings == ["m1", "m2"])
        outcome = engine.handle(.answer(FlowAnswer(kind: .choice, text: "Done", choiceID: "done")), outcome.state)
        #expect(outcome.state.stepID == "where")
        outcome = engine.handle(.answer(FlowAnswer(kind: .location, latitude: 4.6, longitude: -74.1)), outcome.state)
        #expect(texts(outcome) == ["Send 2 photos for PO-1001?"])
        let sequences = outcome.actions.compactMap { if case .send(let out) = $0 { out.sequence } else { nil } }
        outcome = engine.handle(.answer(.text("1")), outcome.state)
        #expect(outcome.actions.first == .attachProof(stepID: "attach", photos: ["m1", "m2"], location: .location(latitude: 4.6, longitude: -74.1)))
        #expect(texts(outcome) == ["Thanks, received 2 photos for PO-1001 (crew GS-01)."])
        #expect(outcome.state.status == .completed && outcome.state.stepID == nil)
        let later = outcome.actions.compactMap { if case .send(let out) = $0 { out.sequence } else { nil } }
        #expect(later.allSatisfy { $0 > (sequences.max() ?? 0) })
        #expect(engine.handle(.answer(.text("hello")), outcome.state).actions.isEmpty)
    }

    @Test("wrong answers are re-prompted saying what is expected, then handed off")
    func wrongAnswers() throws {
        let engine = FlowEngine(definition: try flow("""
        {"format": 1, "start": "pick", "handoff_team_id": "0190a1b2-0000-7000-8000-000000000001", "steps": [
          {"id": "pick", "type": "ask_choice", "text": "Which?", "save_as": "p", "retries": 1, "next": "e",
           "choices": [{"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "C"}]},
          {"id": "e", "type": "end"}]}
        """))
        var outcome = engine.handle(.start, FlowRunState(variables: context))
        outcome = engine.handle(.answer(.text("7")), outcome.state)
        #expect(texts(outcome).first?.hasPrefix("Please pick one of the options: reply with a number from 1 to 3") == true)
        #expect(outcome.state.status == .waiting && outcome.state.wrongAnswers == 1)
        outcome = engine.handle(.answer(FlowAnswer(kind: .image, messageID: "x")), outcome.state)
        #expect(outcome.actions.last == .handoff(teamID: "0190a1b2-0000-7000-8000-000000000001"))
        #expect(outcome.state.status == .handedOff)
    }

    @Test("numbers in range, dates, text where a photo is expected")
    func answerChecks() throws {
        let number = try flow("""
        {"format": 1, "start": "n", "steps": [{"id": "n", "type": "ask_number", "text": "Units?", "save_as": "n", "min": 1, "max": 10, "next": "d"},
          {"id": "d", "type": "ask_date", "text": "When?", "save_as": "d", "next": "e"}, {"id": "e", "type": "end", "text": "{{n}} on {{d}}"}]}
        """)
        let engine = FlowEngine(definition: number, today: CalendarDay(parsing: "2026-12-31"))
        var outcome = engine.handle(.start, FlowRunState(variables: [:]))
        outcome = engine.handle(.answer(.text("11")), outcome.state)
        #expect(texts(outcome) == ["Please answer with a number from 1 to 10.\nUnits?"])
        outcome = engine.handle(.answer(.text("3,5")), outcome.state)
        #expect(outcome.state.variables["n"] == .number(3.5))
        outcome = engine.handle(.answer(.text("31/02/2026")), outcome.state)
        #expect(outcome.state.stepID == "d")
        outcome = engine.handle(.answer(.text("tomorrow")), outcome.state)
        #expect(texts(outcome) == ["3.5 on 2027-01-01"])
        let photo = FlowAnswerCheck.check(.text("hello"), for: try flow(proofFlowJSON).steps[0], collected: nil, today: nil)
        #expect(photo == .wrong(expected: "Please send a photo (1 to 5 in all)."))
    }

    @Test("reminders up to their limit and a timeout with its own branch; stale timers change nothing")
    func timers() throws {
        let engine = FlowEngine(definition: try flow(proofFlowJSON))
        let started = engine.handle(.start, FlowRunState(variables: context))
        let first = engine.handle(.reminder(visit: 1), started.state)
        #expect(texts(first) == ["Job PO-1001 done? Send 1 to 5 photos."])
        #expect(first.actions.contains(.schedule(FlowTimer(kind: .reminder, visit: 1, minutes: 30))))
        let second = engine.handle(.reminder(visit: 1), first.state)
        #expect(!second.actions.contains { if case .schedule = $0 { true } else { false } })
        #expect(engine.handle(.reminder(visit: 1), second.state).actions.isEmpty)
        #expect(engine.handle(.timeout(visit: 0), second.state).actions.isEmpty)
        let late = engine.handle(.timeout(visit: 1), second.state)
        #expect(texts(late) == ["An agent will follow up."] && late.state.status == .handedOff)
    }

    @Test("a paused run resumes by asking its step again with fresh timers, photos kept; a stopped run answers nothing")
    func stopAndResume() throws {
        let engine = FlowEngine(definition: try flow(proofFlowJSON))
        var outcome = engine.handle(.start, FlowRunState(variables: context))
        outcome = engine.handle(.answer(FlowAnswer(kind: .image, messageID: "m1")), outcome.state)
        var paused = outcome.state
        paused.status = .paused
        #expect(engine.handle(.answer(FlowAnswer(kind: .image, messageID: "m2")), paused).actions.isEmpty)
        #expect(engine.handle(.reminder(visit: paused.visit), paused).actions.isEmpty)
        let resumed = engine.handle(.resume, paused)
        #expect(resumed.state.status == .waiting && resumed.state.stepID == "photos")
        #expect(resumed.state.visit == paused.visit + 1, "timers of the visit before the pause are stale")
        #expect(resumed.state.variables["photos"]?.strings == ["m1"])
        #expect(texts(resumed) == ["Job PO-1001 done? Send 1 to 5 photos."])
        #expect(resumed.actions.contains(.schedule(FlowTimer(kind: .reminder, visit: paused.visit + 1, minutes: 30))))
        #expect(engine.handle(.resume, resumed.state).actions.isEmpty, "only a paused run resumes")
        let stopped = engine.handle(.stop, resumed.state)
        #expect(stopped.state.status == .stopped && stopped.state.stepID == nil && stopped.actions.isEmpty)
        #expect(engine.handle(.answer(.text("Done")), stopped.state).actions.isEmpty)
        #expect(engine.handle(.resume, stopped.state).state.status == .stopped)
        #expect(engine.handle(.stop, stopped.state) == stopped)
    }

    @Test("a rejected proof restarts the photo step: a completed run asks again with no photo and fresh timers; a paused one moves there quietly")
    func restartPhotoStep() throws {
        let definition = try flow(proofFlowJSON)
        #expect(definition.proofPhotoStep == "photos")
        #expect(DefaultFlows.proofOfService.proofPhotoStep == "photos")
        #expect(try flow(#"{"format":1,"start":"a","steps":[{"id":"a","type":"ask_text","text":"Hi","save_as":"x","next":"b"},{"id":"b","type":"end"}]}"#).proofPhotoStep == nil)
        let engine = FlowEngine(definition: definition)
        var outcome = engine.handle(.start, FlowRunState(variables: context))
        outcome = engine.handle(.answer(FlowAnswer(kind: .image, messageID: "m1")), outcome.state)
        outcome = engine.handle(.answer(FlowAnswer(kind: .choice, text: "Done", choiceID: "done")), outcome.state)
        outcome = engine.handle(.answer(FlowAnswer(kind: .location, latitude: 4.6, longitude: -74.1)), outcome.state)
        let completed = engine.handle(.answer(.text("1")), outcome.state).state
        #expect(completed.status == .completed)

        let restarted = engine.handle(.restart(stepID: "photos"), completed)
        #expect(restarted.state.status == .waiting && restarted.state.stepID == "photos")
        #expect(restarted.state.variables["photos"]?.strings == [], "the rejected photos are not collected again")
        #expect(restarted.state.variables["place"] != nil, "the rest stays until asked again")
        #expect(texts(restarted) == ["Job PO-1001 done? Send 1 to 5 photos."])
        #expect(restarted.actions.contains(.schedule(FlowTimer(kind: .reminder, visit: completed.visit + 1, minutes: 30))))
        #expect(restarted.state.sends > completed.sends, "new sends get new keys")
        let again = engine.handle(.answer(FlowAnswer(kind: .image, messageID: "m9")), restarted.state)
        #expect(again.state.variables["photos"]?.strings == ["m9"])

        // Paused (an agent replied): moved to the step, quiet; resuming asks for the photos.
        var paused = outcome.state
        paused.status = .paused
        let movedQuietly = engine.handle(.restart(stepID: "photos"), paused)
        #expect(movedQuietly.actions.isEmpty)
        #expect(movedQuietly.state.status == .paused && movedQuietly.state.stepID == "photos")
        #expect(movedQuietly.state.variables["photos"]?.strings == [])
        #expect(texts(engine.handle(.resume, movedQuietly.state)) == ["Job PO-1001 done? Send 1 to 5 photos."])
        // Only an ask_photo step restarts.
        #expect(engine.handle(.restart(stepID: "where"), completed).state == completed)
        #expect(engine.handle(.restart(stepID: "nowhere"), completed).state == completed)
    }

    @Test("http results branch on status and JSON fields")
    func http() throws {
        let engine = FlowEngine(definition: try flow("""
        {"format": 1, "start": "h", "steps": [
          {"id": "h", "type": "http", "url": "https://erp.example.com/o/{{order_number}}", "save_as": "order", "next": "b", "on_error": "bad"},
          {"id": "b", "type": "branch", "variable": "order.body.open", "cases": [{"equals": "true", "next": "ok"}], "otherwise": "bad"},
          {"id": "ok", "type": "end", "text": "open"}, {"id": "bad", "type": "end", "text": "not open ({{order.status}})"}]}
        """))
        let started = engine.handle(.start, FlowRunState(variables: context))
        #expect(started.actions == [.callHTTP(stepID: "h", visit: 1)])
        #expect(texts(engine.handle(.httpResult(visit: 1, status: 200, body: .object(["open": .bool(true)])), started.state)) == ["open"])
        #expect(texts(engine.handle(.httpResult(visit: 1, status: 404, body: nil), started.state)) == ["not open (404)"])
        #expect(texts(engine.handle(.httpResult(visit: 1, status: nil, body: nil), started.state)) == ["not open (0)"])
    }
}

@Suite("Default flows")
struct DefaultFlowTests {
    @Test("the proof-of-service flow is valid, round-trips through JSON, and attaches photos and location")
    func proofOfService() throws {
        let definition = DefaultFlows.proofOfService
        #expect(FlowValidator.problems(definition).isEmpty)
        let json = try JSONEncoder().encode(definition)
        #expect(try JSONDecoder().decode(FlowDefinition.self, from: json) == definition)
        #expect(String(decoding: json, as: UTF8.self).contains("\"min_count\":1"))
        #expect(definition.needsJob)
        let engine = FlowEngine(definition: definition)
        var outcome = engine.handle(.start, FlowRunState(variables: ["order_number": .string("PO-7"), "crew_code": .string("GS-01")]))
        outcome = engine.handle(.answer(FlowAnswer(kind: .image, messageID: "p1")), outcome.state)
        outcome = engine.handle(.answer(.text("done")), outcome.state)
        outcome = engine.handle(.answer(FlowAnswer(kind: .location, latitude: 1, longitude: 2)), outcome.state)
        outcome = engine.handle(.answer(.text("Yes, send")), outcome.state)
        #expect(outcome.actions.first == .attachProof(stepID: "attach", photos: ["p1"], location: .location(latitude: 1, longitude: 2)))
        #expect(outcome.state.status == .completed)
    }
}
