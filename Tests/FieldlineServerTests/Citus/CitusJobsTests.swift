import Foundation
import Testing
@testable import FieldlineServer

extension CitusTests {
    @Test("a job is created, assigned and started on the cluster (its lock and status time on the shard); a proof is recorded and reviewed")
    func jobs() async throws {
        try await Self.run { client, fixtures in
            let admin = APICaller(client, try await Self.tenant(fixtures))
            let network = try await JobNetwork.make(admin)
            let created = try await admin.post("/v1/jobs", #"{"order_number":"PO-1","title":"Tow"}"#)
            #expect(created.status == .created, "\(created.body)")
            let job = try #require(created.json["id"].string)
            let assigned = try await admin.patch("/v1/jobs/\(job)", #"{"status":"assigned","organization_id":"\#(network.organization)"}"#)
            #expect(assigned.status == .ok, "\(assigned.body)")
            #expect(assigned.json["status"].string == "assigned")
            let started = try await admin.patch("/v1/jobs/\(job)", #"{"status":"in_progress"}"#)
            #expect(started.status == .ok, "\(started.body)")
            let fetched = try await admin.get("/v1/jobs/\(job)")
            #expect(fetched.json["status"].string == "in_progress", "\(fetched.body)")
            #expect(fetched.json["organization_id"].string == network.organization, "\(fetched.body)")
            // A proof of it, listed and reviewed.
            let proof = try await admin.post("/v1/jobs/\(job)/proofs", #"{"latitude":40.42,"longitude":-3.70,"note":"done"}"#)
            #expect(proof.status == .created, "\(proof.body)")
            let proofID = try #require(proof.json["id"].string)
            #expect(try await admin.get("/v1/proofs?job_id=\(job)").json["data"].array.map { $0["id"].string } == [proofID])
            let reviewed = try await admin.post("/v1/proofs/\(proofID)/review", #"{"decision":"accepted"}"#)
            #expect(reviewed.status == .ok, "\(reviewed.body)")
            #expect(reviewed.json["review_state"].string == "accepted")
        }
    }
}
