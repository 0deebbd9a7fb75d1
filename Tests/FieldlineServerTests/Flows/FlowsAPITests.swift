import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Flows: versioned definitions over /v1/flows")
struct FlowsAPITests {
    static let askName = #"""
        {"format":1,"start":"name","steps":[
          {"id":"name","type":"ask_text","text":"Your name?","save_as":"name","next":"bye"},
          {"id":"bye","type":"end","text":"Thanks {{name}}"}]}
        """#

    @Test("create, show, list (with the shipped proof flow), publish a version: the old one stays readable as it was")
    func versions() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let created = try await admin.post("/v1/flows", #"{"name":"Ask name","definition":\#(Self.askName)}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"].string)
            #expect(created.headers[.location] == "/v1/flows/\(id)")
            #expect(created.json["version"].int == 1)
            #expect(created.json["current_version"].int == 1)
            #expect(created.json["enabled"].bool == true)
            #expect(created.json["definition"]["steps"][0]["save_as"].string == "name")
            #expect(created.json["version_created_by"].string?.hasPrefix("user:") == true)

            let list = try await admin.get("/v1/flows")
            #expect(list.status == .ok)
            let names = list.json["data"].array.compactMap { $0["name"].string }
            #expect(names.contains("Ask name"))
            let proof = try #require(list.json["data"].array.first { $0["name"].string == "Proof of service" })
            #expect(proof["definition"]["start"].string == "photos")
            #expect(proof["triggers"][0]["type"].string == "keyword")
            #expect(proof["version_created_by"].string == "system")

            let changed = Self.askName.replacingOccurrences(of: "Your name?", with: "What is your name?")
            let published = try await admin.post("/v1/flows/\(id)/versions", #"{"definition":\#(changed),"enabled":false}"#)
            #expect(published.status == .created, "\(published.text)")
            #expect(published.headers[.location] == "/v1/flows/\(id)/versions/2")
            #expect(published.json["current_version"].int == 2)
            #expect(published.json["enabled"].bool == false)
            #expect(published.json["name"].string == "Ask name")
            #expect(try await admin.get("/v1/flows/\(id)").json["definition"]["steps"][0]["text"].string == "What is your name?")
            let first = try await admin.get("/v1/flows/\(id)/versions/1")
            #expect(first.status == .ok)
            #expect(first.json["version"].int == 1)
            #expect(first.json["current_version"].int == 2)
            #expect(first.json["definition"]["steps"][0]["text"].string == "Your name?")
            #expect(try await admin.get("/v1/flows/\(id)/versions/3").status == .notFound)
            #expect(try await admin.get("/v1/flows/\(id)/versions/x").status == .notFound)
            #expect(try await admin.get("/v1/flows/\(UUID())").status == .notFound)
            #expect(try await admin.post("/v1/flows/\(UUID())/versions", #"{"definition":\#(Self.askName)}"#).status == .notFound)
            #expect(try await admin.post("/v1/flows", #"{"name":"Ask name","definition":\#(Self.askName)}"#).status == .conflict)
        }
    }

    @Test("a definition that would break at run time is a 422 naming the step and field", arguments: [
        (#"{"format":1,"start":"a","steps":[{"id":"a","type":"ask_text","text":"?","save_as":"x","next":"nowhere"}]}"#,
         "definition.steps.a.next", "unknown_step"),
        (#"{"format":1,"start":"a","steps":[{"id":"a","type":"end"},{"id":"b","type":"end"}]}"#,
         "definition.steps.b", "unreachable_step"),
        (#"{"format":1,"start":"a","steps":[{"id":"a","type":"ask_text","text":"?","save_as":"x"}]}"#,
         "definition.steps.a.next", "missing_transition"),
        (#"{"format":1,"start":"a","steps":[{"id":"a","type":"end","text":"hi {{who}}"}]}"#,
         "definition.steps.a.text", "variable_not_set"),
        (#"{"format":1,"start":"a","steps":[{"id":"a","type":"ask_choice","text":"?","save_as":"c","choices":[{"id":"y","title":"Yes","next":"b"},{"id":"n","title":"No"}]},{"id":"b","type":"end"}]}"#,
         "definition.steps.a.choices[1].next", "choice_without_target"),
        (#"{"format":1,"start":"a","steps":[{"id":"a","type":"dance"}]}"#,
         "definition.steps.a.type", "unknown_step_type"),
        (#"{"format":2,"start":"a","steps":[{"id":"a","type":"end"}]}"#, "definition.format", "unsupported_format"),
        (#"{"format":1,"start":"a","steps":[{"id":"a","type":"handoff","team_id":"00000000-0000-7000-8000-000000000000"}]}"#,
         "definition.steps.a.team_id", "unknown_team"),
        (#"{"format":1,"steps":[{"id":"a","type":"end"}]}"#, "definition.start", "missing_field"),
    ])
    func invalid(definition: String, field: String, code: String) async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let response = try await admin.post("/v1/flows", #"{"name":"Broken","definition":\#(definition)}"#)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.json["error"]["field"].string == field, "\(response.text)")
            #expect(response.json["error"]["code"].string == code, "\(response.text)")
            #expect(try await admin.get("/v1/flows").json["data"].array.count == 1, "only the shipped flow")
        }
    }

    @Test("triggers are checked against the definition; agents may read flows but not write them")
    func triggersAndPermissions() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let proof = #"{"format":1,"start":"a","steps":[{"id":"a","type":"end","text":"Job {{order_number}}"}]}"#
            let cases: [(String, String)] = [
                (#"[{"type":"new_conversation"}]"#, "triggers[0].type"),
                (#"[{"type":"job_status","status":"offered"}]"#, "triggers[0].status"),
                (#"[{"type":"keyword","keywords":[]}]"#, "triggers[0].keywords"),
                (#"[{"type":"soon"}]"#, "triggers[0].type"),
            ]
            for (triggers, field) in cases {
                let response = try await admin.post("/v1/flows", #"{"name":"T","triggers":\#(triggers),"definition":\#(proof)}"#)
                #expect(response.status == .unprocessableContent, "\(triggers): \(response.text)")
                #expect(response.json["error"]["field"].string == field, "\(triggers): \(response.text)")
            }
            let created = try await admin.post(
                "/v1/flows", #"{"name":"T","triggers":[{"type":"keyword","keywords":["Terminé!"]},{"type":"job_status","status":"assigned"}],"definition":\#(proof)}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["triggers"][0]["keywords"][0].string == "termine")
            let id = try #require(created.json["id"].string)
            // Kept triggers must suit a new version: a job-status trigger needs nothing, but a
            // new conversation cannot start a flow that names the job.
            let kept = try await admin.post("/v1/flows/\(id)/versions", #"{"triggers":[{"type":"new_conversation"}],"definition":\#(Self.askName)}"#)
            #expect(kept.status == .created, "\(kept.text)")
            let refused = try await admin.post("/v1/flows/\(id)/versions", #"{"definition":\#(proof)}"#)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.json["error"]["field"].string == "triggers[0].type")

            let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
            #expect(try await agent.get("/v1/flows/\(id)").status == .ok)
            #expect(try await agent.post("/v1/flows", #"{"name":"Mine","definition":\#(Self.askName)}"#).status == .forbidden)
            #expect(try await agent.post("/v1/flows/\(id)/versions", #"{"definition":\#(Self.askName)}"#).status == .forbidden)
        }
    }
}
