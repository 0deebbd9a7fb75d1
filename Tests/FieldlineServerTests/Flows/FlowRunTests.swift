import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Flows: runs in members' conversations, through real webhooks")
struct FlowRunTests {
    static let digits = "16505551234"

    /// A subcontractor with crew GS-01 whose member writes from WhatsApp, and job PO-1001 assigned to the crew.
    static func network(_ admin: APICaller) async throws -> (member: String, job: String) {
        let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Sur"}"#).json["id"].string)
        let member = try #require(try await admin.post("/v1/members", #"""
            {"organization_id":"\#(org)","name":"Ana","identities":[{"kind":"whatsapp","external_id":"+\#(digits)"}]}
            """#).json["id"].string)
        let crew = try await admin.post("/v1/crews", #"{"organization_id":"\#(org)","name":"Sur 1","crew_code":"GS-01","member_ids":["\#(member)"]}"#)
        #expect(crew.status == .created, "\(crew.text)")
        let job = try await admin.post("/v1/jobs", #"""
            {"order_number":"PO-1001","title":"Install","status":"assigned","organization_id":"\#(org)","crew_id":"\#(try #require(crew.json["id"].string))"}
            """#)
        #expect(job.status == .created, "\(job.text)")
        return (member, try #require(job.json["id"].string))
    }

    /// The bodies of the outbound messages of the only conversation, oldest first.
    static func said(_ admin: APICaller) async throws -> [String] {
        let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
        return try await admin.get("/v1/conversations/\(conversation)/messages?limit=200").json["data"].array
            .filter { $0["direction"].string == "outbound" }.compactMap { $0["text"].string }.reversed()
    }

    static func location(id: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ana"},"wa_id":"\#(digits)"}],"messages":[{"from":"\#(digits)","id":"\#(id)","timestamp":"1749416383","type":"location","location":{"latitude":40.4168,"longitude":-3.7038}}]},"field":"messages"}]}]}"#
    }

    @Test("WhatsApp: \"Done\" starts the shipped proof flow; a wrong answer is re-prompted; photo, location and Yes make a proof on the job")
    func proofOnWhatsApp() async throws {
        let jpeg = MediaSamples.jpeg(seed: 4)
        try await FakeProvider.run { baseURL, log in
            await Self.servePhoto(jpeg, log, baseURL: baseURL)
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: MediaSamples.directory())) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let (_, job) = try await Self.network(admin)
                try await Self.proofFlowScenario(client, fixtures, admin, fixture.tenant.id, hook, job: job, jpeg: jpeg, log: log)
            }
        }
    }

    @Test("a handoff puts the conversation in the team's queue and the bot goes quiet; an agent's reply pauses a run")
    func handoffAndPause() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.run(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                _ = try await Self.network(admin)
                let team = try #require(try await admin.post("/v1/teams", #"{"name":"Dispatch"}"#).json["id"].string)
                let flow = #"""
                    {"name":"Count","triggers":[{"type":"keyword","keywords":["count"]}],"definition":{"format":1,"start":"n","handoff_team_id":"\#(team)","steps":[
                      {"id":"n","type":"ask_number","text":"How many units?","min":1,"max":3,"retries":1,"save_as":"n","next":"bye"},
                      {"id":"bye","type":"end","text":"Noted {{n}}"}]}}
                    """#
                #expect(try await admin.post("/v1/flows", flow).status == .created)
                func post(_ id: String, _ text: String) async throws {
                    #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: id, from: Self.digits, text: text)).status == .ok)
                }
                try await post("wamid.H1", "count")
                try await post("wamid.H2", "7")
                #expect(try await Self.said(admin).last == "Please answer with a number from 1 to 3.\nHow many units?")
                try await post("wamid.H3", "lots")
                #expect(try await Self.said(admin).last == "Let me pass you to a person who can help.")
                let conversation = try await admin.get("/v1/conversations").json["data"][0]
                #expect(conversation["team_id"].string == team)
                let quiet = try await Self.said(admin).count
                try await post("wamid.H4", "2")
                #expect(try await Self.said(admin).count == quiet, "the bot stays quiet after the handoff")

                // A new run; an agent's reply pauses it, and the member's answer then goes to people.
                let id = try #require(conversation["id"].string)
                try await post("wamid.H5", "count")
                #expect(try await Self.said(admin).last == "How many units?")
                #expect(try await admin.post("/v1/conversations/\(id)/messages", #"{"text":"Hi, Dana here"}"#).status == .created)
                try await post("wamid.H6", "2")
                #expect(try await Self.said(admin).last == "Hi, Dana here")
            }
        }
    }
}
