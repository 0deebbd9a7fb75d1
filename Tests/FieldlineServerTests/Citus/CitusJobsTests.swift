import Foundation
import Testing
@testable import FieldlineServer

extension CitusTests {
    @Test("a job is created, assigned and started on the cluster (its lock and status time on the shard)")
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
        }
    }
}
