import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// A subcontractor with a crew, ready for jobs.
struct JobNetwork {
    let organization: String
    let crew: String
    let otherOrganization: String
    let otherCrew: String

    static func make(_ admin: APICaller) async throws -> JobNetwork {
        let organization = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Norte"}"#).json["id"].string)
        let crew = try #require(try await admin.post("/v1/crews", #"{"organization_id":"\#(organization)","name":"Night","crew_code":"GN-7"}"#).json["id"].string)
        let other = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Sur"}"#).json["id"].string)
        let otherCrew = try #require(try await admin.post("/v1/crews", #"{"organization_id":"\#(other)","name":"Day","crew_code":"GS-1"}"#).json["id"].string)
        return JobNetwork(organization: organization, crew: crew, otherOrganization: other, otherCrew: otherCrew)
    }
}

@Suite("Jobs")
struct JobsTests {
    @Test("create (idempotent), read, list newest first with order_number/status/updated_since filters and cursor pages")
    func createAndList() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let body = #"{"order_number":" PO-1001 ","title":"Tow a van","description":"Blue Ford Transit","latitude":40.4168,"longitude":-3.7038,"address":"Gran Vía 1, Madrid","required_tags":["Tow","heavy"],"window_start":"2026-12-01T08:00:00Z","window_end":"2026-12-01T12:00:00Z"}"#
            let created = try await admin.post("/v1/jobs", body, headers: [.idempotencyKey: "job-1001"])
            #expect(created.status == .created)
            let job = created.json
            let id = try #require(job["id"].string)
            #expect(created.headers[.location] == "/v1/jobs/\(id)")
            #expect(job["order_number"].string == "PO-1001")
            #expect(job["status"].string == "open")
            #expect(job["required_tags"].array.map(\.string) == ["tow", "heavy"])
            #expect(job["latitude"].double == 40.4168)
            #expect(job["address"].string == "Gran Vía 1, Madrid")
            #expect(job["window_end"].string == "2026-12-01T12:00:00.000Z")
            #expect(job["created_by"].string == "user:\(try await admin.get("/v1/users/me").json["id"].string!.lowercased())")
            #expect(job["organization_id"].isNull)
            // A retried create answers the first response, and creates nothing more.
            let replay = try await admin.post("/v1/jobs", body, headers: [.idempotencyKey: "job-1001"])
            #expect(replay.status == .created)
            #expect(replay.json["id"].string == id)
            #expect(replay.headers[.idempotentReplayed] == "true")
            // The same order number again is a conflict, not a second job.
            let taken = try await admin.post("/v1/jobs", #"{"order_number":"PO-1001","title":"Again"}"#)
            #expect(taken.status == .conflict)
            #expect(taken.json["error"]["code"].string == "order_number_taken")

            let before = RFC3339.format(Date())
            let second = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-1002","title":"Jump start","status":"expired"}"#).json["id"].string)
            #expect(try await admin.get("/v1/jobs/\(id)").json["title"].string == "Tow a van")
            #expect(try await admin.get("/v1/jobs").json["data"].array.map { $0["id"].string } == [second, id])
            #expect(try await admin.get("/v1/jobs?order_number=PO-1001").json["data"].array.map { $0["id"].string } == [id])
            #expect(try await admin.get("/v1/jobs?status=expired").json["data"].array.map { $0["id"].string } == [second])
            #expect(try await admin.get("/v1/jobs?status=open").json["data"].array.map { $0["id"].string } == [id])
            #expect(try await admin.get("/v1/jobs?updated_since=\(before)").json["data"].array.map { $0["id"].string } == [second])
            let first = try await admin.get("/v1/jobs?limit=1")
            #expect(first.json["data"].array.map { $0["id"].string } == [second])
            let cursor = try #require(first.json["next_cursor"].string)
            let next = try await admin.get("/v1/jobs?limit=1&cursor=\(cursor)")
            #expect(next.json["data"].array.map { $0["id"].string } == [id])
            #expect(next.json["next_cursor"].isNull)
            #expect(try await admin.get("/v1/jobs?status=done").status == .badRequest)
            #expect(try await admin.get("/v1/jobs/\(UUID())").status == .notFound)
        }
    }

    @Test("bad fields are 422s naming the field")
    func badInput() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let cases: [(String, String)] = [
                (#"{"order_number":"PO-1","title":"T","latitude":40}"#, "longitude"),
                (#"{"order_number":"PO-1","title":"T","latitude":91,"longitude":0}"#, "latitude"),
                (#"{"order_number":"PO-1","title":"T","window_start":"2026-12-01T12:00:00Z","window_end":"2026-12-01T08:00:00Z"}"#, "window_end"),
                (#"{"order_number":"  ","title":"T"}"#, "order_number"),
                (#"{"order_number":"PO-1","title":"T","status":"done"}"#, "status"),
                (#"{"order_number":"PO-1","title":"T","required_tags":["no spaces"]}"#, "required_tags"),
                (#"{"order_number":"PO-1","title":"T","organization_id":"\#(UUID())"}"#, "organization_id"),
                (#"{"order_number":"PO-1","title":"T","conversation_id":"\#(UUID())"}"#, "conversation_id"),
                (#"{"order_number":"PO-1","title":"T","priority":1}"#, "priority"),
                (#"{"order_number":"PO-1","title":"T","status":"assigned"}"#, "organization_id"),
            ]
            for (body, field) in cases {
                let response = try await admin.post("/v1/jobs", body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.json["error"]["field"].string == field, "\(body)")
            }
            let customer = try #require(try await admin.post("/v1/organizations", #"{"kind":"customer","name":"Shop"}"#).json["id"].string)
            let notSub = try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"T","organization_id":"\#(customer)"}"#)
            #expect(notSub.json["error"]["code"].string == "not_a_subcontractor")
            // Straight to in_progress is not a state a new job may have.
            let network = try await JobNetwork.make(admin)
            let skipped = try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"T","status":"in_progress","organization_id":"\#(network.organization)"}"#)
            #expect(skipped.status == .conflict)
            #expect(skipped.json["error"]["code"].string == "illegal_status_transition")
            #expect(try await admin.get("/v1/jobs").json["data"].array.isEmpty)
        }
    }

    @Test("PATCH assigns a subcontractor and crew, walks the life cycle, refuses illegal moves with 409, and a final job is read-only")
    func lifeCycle() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let network = try await JobNetwork.make(admin)
            let id = try #require(try await admin.post("/v1/jobs", #"{"order_number":"PO-7","title":"Tow","latitude":40,"longitude":-3}"#).json["id"].string)

            let noAssignee = try await admin.patch("/v1/jobs/\(id)", #"{"status":"assigned"}"#)
            #expect(noAssignee.status == .unprocessableContent)
            #expect(noAssignee.json["error"]["code"].string == "assignee_required")
            let foreignCrew = try await admin.patch("/v1/jobs/\(id)", #"{"organization_id":"\#(network.organization)","crew_id":"\#(network.otherCrew)"}"#)
            #expect(foreignCrew.status == .unprocessableContent)
            #expect(foreignCrew.json["error"]["field"].string == "crew_id")

            let opened = try await admin.get("/v1/jobs/\(id)").json
            let assigned = try await admin.patch("/v1/jobs/\(id)", #"{"status":"assigned","organization_id":"\#(network.organization)","crew_id":"\#(network.crew)"}"#)
            #expect(assigned.status == .ok)
            #expect(assigned.json["status"].string == "assigned")
            #expect(assigned.json["crew_code"].string == "GN-7")
            #expect(assigned.json["status_changed_at"].string != opened["status_changed_at"].string)
            #expect(assigned.json["latitude"].double == 40)
            #expect(try await admin.get("/v1/jobs?crew_code=gn-7").json["data"].array.map { $0["id"].string } == [id])
            #expect(try await admin.get("/v1/jobs?crew_code=GS-1").json["data"].array.isEmpty)

            let skip = try await admin.patch("/v1/jobs/\(id)", #"{"status":"completed"}"#)
            #expect(skip.status == .conflict)
            #expect(skip.json["error"]["code"].string == "illegal_status_transition")
            #expect(skip.json["error"]["message"].string == "a job cannot go from assigned to completed; from assigned it may become: open, in_progress, cancelled")
            #expect(try await admin.get("/v1/jobs/\(id)").json["status"].string == "assigned")

            // Another subcontractor without a crew lets the first one's crew go.
            let moved = try await admin.patch("/v1/jobs/\(id)", #"{"organization_id":"\#(network.otherOrganization)"}"#).json
            #expect(moved["organization_id"].string == network.otherOrganization)
            #expect(moved["crew_id"].isNull)
            let cleared = try await admin.patch("/v1/jobs/\(id)", #"{"latitude":null,"longitude":null,"title":"Tow (urgent)"}"#).json
            #expect(cleared["latitude"].isNull)
            #expect(cleared["title"].string == "Tow (urgent)")
            #expect(try await admin.patch("/v1/jobs/\(id)", #"{"latitude":null}"#).status == .unprocessableContent)

            #expect(try await admin.patch("/v1/jobs/\(id)", #"{"status":"in_progress"}"#).json["status"].string == "in_progress")
            #expect(try await admin.patch("/v1/jobs/\(id)", #"{"status":"completed"}"#).json["status"].string == "completed")
            // Repeating the state it is in changes nothing and is fine; anything else is refused.
            #expect(try await admin.patch("/v1/jobs/\(id)", #"{"status":"completed"}"#).status == .ok)
            let final = try await admin.patch("/v1/jobs/\(id)", #"{"title":"Rewritten"}"#)
            #expect(final.status == .conflict)
            #expect(final.json["error"]["code"].string == "job_final")
            let reopen = try await admin.patch("/v1/jobs/\(id)", #"{"status":"open"}"#)
            #expect(reopen.status == .conflict)
            #expect(try await admin.get("/v1/jobs/\(id)").json["title"].string == "Tow (urgent)")
            #expect(try await admin.get("/v1/jobs?organization_id=\(network.otherOrganization)").json["data"].array.count == 1)
            #expect(try await admin.patch("/v1/jobs/\(id)", #"{"crew_id":"\#(network.otherCrew)"}"#).status == .conflict)
            #expect(try await admin.get("/v1/jobs?crew_code=gs-1").json["data"].array.isEmpty)
            #expect(try await admin.patch("/v1/jobs/\(UUID())", #"{"title":"x"}"#).status == .notFound)
        }
    }

    @Test("a job links to a conversation the caller can see; another team's conversation is refused")
    func conversationLink() async throws {
        try await TestApp.run { client, fixtures in
            let desk = try await ConversationsTests.desk(client, fixtures)
            let admin = desk.admin
            let conversation = try #require(try await desk.send("m-1", "Need a tow").json["conversation_id"].string)
            let agent = APICaller(client, try await fixtures.user(in: desk.fixture.tenant, role: .agent))
            let team = try #require(try await admin.post("/v1/teams", #"{"name":"Night desk"}"#).json["id"].string)
            #expect(try await admin.post("/v1/conversations/\(conversation)/assign", #"{"team_id":"\#(team)"}"#).status == .ok)
            let hidden = try await agent.post("/v1/jobs", #"{"order_number":"PO-9","title":"Tow","conversation_id":"\#(conversation)"}"#)
            #expect(hidden.status == .unprocessableContent)
            #expect(hidden.json["error"]["code"].string == "unknown_reference")

            let job = try await admin.post("/v1/jobs", #"{"order_number":"PO-9","title":"Tow","conversation_id":"\#(conversation)"}"#)
            #expect(job.status == .created)
            let id = try #require(job.json["id"].string)
            #expect(job.json["conversation_id"].string == conversation)
            #expect(try await admin.get("/v1/jobs?conversation_id=\(conversation)").json["data"].array.map { $0["id"].string } == [id])
            // The agent may still edit the job: the link they could not make is kept as it is.
            #expect(try await agent.patch("/v1/jobs/\(id)", #"{"title":"Tow a truck"}"#).json["conversation_id"].string == conversation)
            #expect(try await agent.patch("/v1/jobs/\(id)", #"{"conversation_id":null}"#).json["conversation_id"].isNull)
            #expect(try await agent.patch("/v1/jobs/\(id)", #"{"conversation_id":"\#(conversation)"}"#).status == .unprocessableContent)
        }
    }

    @Test("jobs:read and jobs:write are what API keys need; users get them with every role")
    func permissions() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let readKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["jobs:read"]}"#).json["key"].string)
            let reader = APICaller(client, token: readKey)
            #expect(try await reader.get("/v1/jobs").status == .ok)
            let refused = try await reader.post("/v1/jobs", #"{"order_number":"PO-1","title":"T"}"#)
            #expect(refused.status == .forbidden)
            #expect(refused.json["error"]["message"].string == "this requires the 'jobs:write' permission")
            let writeKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP write","scopes":["jobs:write"]}"#).json["key"].string)
            let created = try await APICaller(client, token: writeKey).post("/v1/jobs", #"{"order_number":"PO-1","title":"T"}"#)
            #expect(created.status == .created)
            #expect(created.json["created_by"].string?.hasPrefix("api_key:") == true)
            #expect(try await APICaller(client, token: writeKey).get("/v1/jobs").status == .forbidden)
            let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
            #expect(try await agent.get("/v1/jobs").json["data"].array.count == 1)
            #expect(try await agent.post("/v1/jobs", #"{"order_number":"PO-2","title":"T"}"#).status == .created)
        }
    }
}
