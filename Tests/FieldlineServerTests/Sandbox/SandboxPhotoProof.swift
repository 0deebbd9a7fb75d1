import Foundation
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

extension SandboxPhoneTests {
    /// The photo scenario of `proofFromPhoto` and `CitusTests.sandboxPhoto`: the member's open
    /// phone (`setUp`) uploads a photo and sends it through the webhook; the image message's
    /// media is fetched from the media store, and a job assigned to the member's organization
    /// takes it as a proof with EXIF. Returns the member's conversation and the proof.
    static func photoProofScenario(
        _ admin: APICaller, _ phone: Phone, member: String, number: String
    ) async throws -> (conversation: String, proof: JSON) {
        let upload = try await phone.send(.post, "/v1/sandbox/\(phone.adapter)/media", ByteBuffer(bytes: EvidencePhotos.original()), type: "image/jpeg")
        #expect(upload.status == .created, "\(upload.text)")
        let mediaID = try #require(upload.json["media_id"].string)
        #expect(try await phone.hook(#"{"messages":[{"id":"p-1","from":"\#(number)","image":{"media_id":"\#(mediaID)"}}]}"#).status == .ok)
        let conversation = try #require(try await admin.get("/v1/conversations?member_id=\(member)").json["data"][0]["id"].string)
        @Sendable func image() async throws -> JSON? {
            try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array.first { $0["kind"].string == "image" }
        }
        #expect(try await eventually { try await image()?["media"]["status"].string == "fetched" })
        let message = try #require(try await image()?["id"].string)
        let organization = try #require(try await admin.get("/v1/members/\(member)").json["organization_id"].string)
        let job = try await admin.post("/v1/jobs", #"""
            {"order_number":"PO-SBX-PHOTO","title":"Tow","latitude":\#(EvidencePhotos.site.latitude),"longitude":\#(EvidencePhotos.site.longitude),
             "status":"assigned","organization_id":"\#(organization)","conversation_id":"\#(conversation)"}
            """#)
        #expect(job.status == .created, "\(job.text)")
        let proof = try await admin.post("/v1/jobs/\(try #require(job.json["id"].string))/proofs", #"{"message_ids":["\#(message)"]}"#)
        #expect(proof.status == .created, "\(proof.text)")
        #expect(proof.json["media"][0]["exif"]["status"].string == "present")
        return (conversation, proof.json)
    }
}
