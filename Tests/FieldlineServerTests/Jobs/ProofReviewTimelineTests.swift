import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Proofs: reused photos within the reader's visibility, reviews in the case timeline, arrival vs status")
struct ProofReviewTimelineTests {
    /// Uploads `photo` as a proof of `job` and returns the proof.
    static func upload(_ client: any TestClientProtocol, _ token: String, job: String, _ photo: [UInt8]) async throws -> JSON {
        var form = MultipartForm()
        form.field("latitude", "\(EvidencePhotos.site.latitude)")
        form.field("longitude", "\(EvidencePhotos.site.longitude)")
        form.file(filename: "IMG.JPG", photo)
        let created = try await MultipartForm.post(client, token, "/v1/jobs/\(job)/proofs", form.closed())
        #expect(created.status == .created, "\(created.text)")
        return created.json
    }

    @Test("reused_in names only jobs the reader may see: an organization-scoped supervisor is told a count, the event log the order number")
    func reusedWithinVisibility() async throws {
        let directory = MediaSamples.directory()
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let ours = try await ProofEvidenceTests.assignedJob(admin, network, order: "NORTE-1")
            let theirs = try #require(try await admin.post("/v1/jobs", #"""
                {"order_number":"SUR-1","title":"Tow","status":"assigned","organization_id":"\#(network.otherOrganization)"}
                """#).json["id"].string)
            let photo = EvidencePhotos.original()
            let first = try await Self.upload(client, fixture.token, job: theirs, photo)
            let proof = try #require(try await Self.upload(client, fixture.token, job: ours, photo)["id"].string)
            #expect(first["checks"]["unique"].bool == true)

            // The admin sees both jobs: the other job is named.
            let seenByAdmin = try await admin.get("/v1/proofs/\(proof)").json
            #expect(seenByAdmin["media"][0]["reused_in"].array.map(\.string) == ["SUR-1"])
            #expect(seenByAdmin["media"][0]["reused_in_hidden"].int == 0)
            #expect(seenByAdmin["checks"]["unique"].bool == false)
            #expect(seenByAdmin["checks"]["reused_in"].array.map(\.string) == ["SUR-1"])

            // A supervisor of the northern subcontractor sees its job only: the reuse is counted, not named.
            let supervisor = try await fixtures.user(in: fixture.tenant, role: .supervisor)
            #expect(try await admin.patch("/v1/users/\(supervisor.userID)", #"{"organization_id":"\#(network.organization)"}"#).status == .ok)
            let scoped = APICaller(client, supervisor)
            #expect(try await scoped.get("/v1/jobs/\(theirs)").status == .notFound)
            let seen = try await scoped.get("/v1/proofs/\(proof)")
            #expect(seen.status == .ok)
            #expect(seen.json["media"][0]["reused_in"].array.isEmpty)
            #expect(seen.json["media"][0]["reused_in_hidden"].int == 1)
            #expect(seen.json["checks"]["unique"].bool == false)
            #expect(seen.json["checks"]["reused_in"].array.isEmpty)
            #expect(seen.json["checks"]["reused_in_hidden"].int == 1)
            #expect(seen.json["checks"]["reasons"].array.contains { $0.string == "unique: a photo is also in another job you may not see" })
            #expect(!seen.text.contains("SUR-1"))
            let listed = try await scoped.get("/v1/proofs?order_number=NORTE-1").json["data"].array
            #expect(listed.count == 1 && listed[0]["media"][0]["reused_in_hidden"].int == 1)

            // The supervisor's review: in the case timeline, and in the event log as the tenant sees the proof.
            let reviewed = try await scoped.post("/v1/proofs/\(proof)/review", #"{"decision":"rejected","reason":"Same photo as another job"}"#)
            #expect(reviewed.status == .ok, "\(reviewed.text)")
            #expect(!reviewed.text.contains("SUR-1"))
            let timeline = try await scoped.get("/v1/jobs/\(ours)/timeline").json["data"].array
            let review = try #require(timeline.first { $0["type"].string == "proof.reviewed" })
            #expect(review["proof_id"].string == proof)
            #expect(review["review_state"].string == "rejected")
            #expect(review["review_reason"].string == "Same photo as another job")
            #expect(review["actor"].string == "user:\(supervisor.userID.uuidString.lowercased())")
            let submitted = try #require(timeline.firstIndex { $0["type"].string == "proof.submitted" && $0["proof_id"].string == proof })
            #expect(submitted < (timeline.firstIndex { $0["type"].string == "proof.reviewed" } ?? -1))
            // The feed holds back events while another test's transaction is open: wait as a poller would.
            let events = try await EventsTests.all(admin, count: 1, types: "proof.reviewed", limit: 50)
            #expect(events.count == 1)
            #expect(events[0]["data"]["id"].string == proof)
            #expect(events[0]["data"]["review_state"].string == "rejected")
            #expect(events[0]["data"]["checks"]["reused_in"].array.map(\.string) == ["SUR-1"])
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("each file tells the job's status when it arrived and the seconds since (or until) each status change")
    func arrivalVersusStatus() async throws {
        let directory = MediaSamples.directory()
        try await TestApp.run(configure: MediaSamples.configure("http://127.0.0.1:9", mediaDir: directory)) { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let network = try await JobNetwork.make(admin)
            let job = try await ProofEvidenceTests.assignedJob(admin, network, order: "TIME-1")
            let jobID = try #require(UUID(uuidString: job))
            // The job was created two hours ago and assigned one hour ago.
            try await Self.shift(fixtures, fixture.tenant.id, jobID, status: "open", by: -7200)
            try await Self.shift(fixtures, fixture.tenant.id, jobID, status: "assigned", by: -3600)
            let proof = try #require(try await Self.upload(client, fixture.token, job: job, EvidencePhotos.original())["id"].string)
            // Started and completed after the photo: the crew sent it before starting, 30 and 40 minutes before.
            #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"in_progress"}"#).status == .ok)
            #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"completed"}"#).status == .ok)
            try await Self.shift(fixtures, fixture.tenant.id, jobID, status: "in_progress", by: 1800)
            try await Self.shift(fixtures, fixture.tenant.id, jobID, status: "completed", by: 2400)

            let file = try await admin.get("/v1/proofs/\(proof)").json["media"][0]
            #expect(file["job_status_at_arrival"].string == "assigned")
            let since = file["since_status"]
            #expect(since["open"].int.map { (7195...7260).contains($0) } == true, "\(since)")
            #expect(since["assigned"].int.map { (3595...3660).contains($0) } == true, "\(since)")
            #expect(since["in_progress"].int.map { (-1805 ... -1740).contains($0) } == true, "\(since)")
            #expect(since["completed"].int.map { (-2405 ... -2340).contains($0) } == true, "\(since)")
            #expect(since["cancelled"].isNull)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Moves the times the job entered `status` by `seconds` (a test's way to let time pass).
    static func shift(_ fixtures: Fixtures, _ tenantID: UUID, _ jobID: UUID, status: String, by seconds: Double) async throws {
        try await fixtures.database.withTenant(tenantID) { connection in
            try await connection.query("""
                UPDATE job_history SET at = at + \(seconds) * interval '1 second'
                WHERE tenant_id = \(tenantID) AND job_id = \(jobID) AND offer_id IS NULL AND to_status = \(status)
                """, logger: fixtures.database.logger)
        }
    }
}
