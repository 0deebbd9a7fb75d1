import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Proof uploads from the app adapter: an inbound:write key uploads for a member of the job's subcontractor")
struct ProofAppUploadTests {
    @Test("the app key names the member: recorded as them, with their crew's code and conversation; a member of another subcontractor, none or an unknown one is refused with nothing kept")
    func uploadForMember() async throws {
        let directory = MediaSamples.directory()
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let nico = try #require(try await admin.post("/v1/members", #"""
                {"organization_id":"\#(network.organization)","name":"Nico","identities":[{"kind":"app","external_id":"nico-phone"}]}
                """#).json["id"].string)
            #expect(try await admin.post("/v1/crews", #"{"organization_id":"\#(network.organization)","name":"Day","crew_code":"GN-8","member_ids":["\#(nico)"]}"#).status == .created)
            let sara = try #require(try await admin.post("/v1/members", #"{"organization_id":"\#(network.otherOrganization)","name":"Sara"}"#).json["id"].string)
            let appKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"Crew app","scopes":["inbound:write"]}"#).json["key"].string)
            let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["proofs:write"]}"#).json["key"].string)
            let conversation = try #require(try await APICaller(client, token: appKey).post(
                "/v1/app/messages", #"{"sender":"nico-phone","provider_message_id":"hello-1","text":"En la obra"}"#).json["conversation_id"].string)
            let job = try await ProofEvidenceTests.assignedJob(admin, network, order: "APP-1")

            func upload(_ key: String, member: String?, crewCode: String? = nil, variant: Int) async throws -> TestResponse {
                var form = MultipartForm()
                if let member { form.field("member_id", member) }
                if let crewCode { form.field("crew_code", crewCode) }
                form.file(filename: "IMG.JPG", TestImages.photo(variant: variant))
                return try await MultipartForm.post(client, key, "/v1/jobs/\(job)/proofs", form.closed())
            }

            // Refused, and no file kept: no member, another subcontractor's member, no such member, not a UUID.
            let anonymous = try await upload(appKey, member: nil, variant: 1)
            #expect(anonymous.status == .unprocessableContent)
            #expect(anonymous.json["error"]["code"].string == "missing_field" && anonymous.json["error"]["field"].string == "member_id", "\(anonymous.text)")
            let stranger = try await upload(appKey, member: sara, variant: 2)
            #expect(stranger.status == .unprocessableContent)
            #expect(stranger.json["error"]["code"].string == "member_not_assigned", "\(stranger.text)")
            #expect(stranger.json["error"]["message"].string?.contains("subcontractor") == true)
            let unknown = try await upload(appKey, member: UUID().uuidString, variant: 3)
            #expect(unknown.json["error"]["code"].string == "unknown_reference", "\(unknown.text)")
            #expect(try await upload(appKey, member: "nico", variant: 3).json["error"]["field"].string == "member_id")
            #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
            #expect(MediaSamples.files(in: directory, "objects").isEmpty, "a refused upload commits no file")
            // The app key records no proof from messages: that is an agent's or an integration's (proofs:write).
            let json = try await APICaller(client, token: appKey).post("/v1/jobs/\(job)/proofs", #"{"media_ids":[]}"#)
            #expect(json.status == .forbidden)

            // For Nico: his name on the proof, his crew's code, his conversation.
            let created = try await upload(appKey, member: nico, variant: 4)
            #expect(created.status == .created, "\(created.text)")
            let proof = created.json
            #expect(proof["member_id"].string == nico)
            #expect(proof["crew_code"].string == "GN-8")
            #expect(proof["conversation_id"].string == conversation)
            #expect(proof["submitted_by"].string?.hasPrefix("api_key:") == true)
            #expect(proof["media"].array.count == 1 && proof["media"][0]["perceptual_hash"].string != nil)
            // A crew code given wins (one of the subcontractor's crews).
            let coded = try await upload(appKey, member: nico, crewCode: "GN-7", variant: 5)
            #expect(coded.status == .created && coded.json["crew_code"].string == "GN-7" && coded.json["member_id"].string == nico)

            // An integration's upload is as before: no member, the job's crew's code (none here).
            let integration = try await upload(erpKey, member: nil, variant: 6)
            #expect(integration.status == .created, "\(integration.text)")
            #expect(integration.json["member_id"].isNull && integration.json["conversation_id"].isNull && integration.json["crew_code"].isNull)

            // A rejection reaches Nico in his conversation.
            let proofID = try #require(proof["id"].string)
            #expect(try await admin.post("/v1/proofs/\(proofID)/review", #"{"decision":"rejected","reason":"Too dark"}"#).status == .ok)
            let messages = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
            #expect(messages.contains { $0["text"].string == "The proof for order APP-1 was not accepted: Too dark. Please send new photos." }, "\(messages)")
            let timeline = try await admin.get("/v1/members/\(nico)/timeline").status
            #expect(timeline == .ok)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
