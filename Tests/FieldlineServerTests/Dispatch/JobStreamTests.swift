import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: a job's own events on the live stream")
struct JobStreamTests {
    typealias Support = BroadcastTestSupport

    /// Reads the stream until an event of `type` about `job` arrives; returns every event read.
    static func until(_ type: String, job: String, _ inbox: StreamInbox) async throws -> [JSON] {
        var read: [JSON] = []
        while true {
            let event = try await inbox.next()
            read.append(event)
            if event["type"].string == type, event["data"]["job_id"].string == job { return read }
        }
    }

    @Test("a job linked to no conversation: created, offered, accepted, assigned, started and completed reach whoever may see the job, once each, resumable; a supervisor of another subcontractor and another tenant get none of it")
    func jobWithoutConversation() async throws {
        try await FakeProvider.run { baseURL, _ in
            try await TestApp.runLive(configure: ProviderTestSupport.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
                let tow = try await Support.subcontractor(admin, "Tow")
                let crane = try await Support.subcontractor(admin, "Crane")
                _ = try await Support.member(admin, tow, digits: "34600000001")
                #expect(try await Support.whatsAppText(client, hook, from: "34600000001", id: "wamid.H1", text: "hola").status == .ok)
                // Supervisors restricted to one subcontractor each see only that one's jobs.
                let towSupervisor = try await fixtures.user(in: fixture.tenant, role: .supervisor)
                let craneSupervisor = try await fixtures.user(in: fixture.tenant, role: .supervisor)
                #expect(try await admin.patch("/v1/users/\(towSupervisor.userID)", #"{"organization_id":"\#(tow)"}"#).status == .ok)
                #expect(try await admin.patch("/v1/users/\(craneSupervisor.userID)", #"{"organization_id":"\#(crane)"}"#).status == .ok)
                let other = try await fixtures.tenant("globex")

                try await withStream(client, token: fixture.token) { adminInbox, _ in
                    try await withStream(client, token: craneSupervisor.token) { craneInbox, _ in
                        try await withStream(client, token: other.token) { otherInbox, _ in
                            let job = try await Support.job(admin, "PO-7001")
                            let created = try await Self.until("job.created", job: job, adminInbox).last
                            #expect(created?.has("conversation_id") == true && created?["conversation_id"] == .null)
                            #expect(created?["job_id"].string == job)
                            #expect(created?["data"]["order_number"].string == "PO-7001")
                            #expect(created?["data"]["status"].string == "open")

                            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
                            let offered = try await Self.until("job.offered", job: job, adminInbox).last
                            #expect(offered?["job_id"].string == job)
                            #expect(offered?["data"]["round"].string == "1")
                            #expect(offered?["data"]["offers"].string == "1")
                            let offerID = try #require(try await Support.offers(admin, job)[tow]?["id"].string)

                            let accept = try await Support.whatsAppButton(
                                client, hook, from: "34600000001", id: "wamid.A1", choiceID: "offer:\(offerID.lowercased()):accept")
                            #expect(accept.status == .ok)
                            let accepted = try await Self.until("offer.accepted", job: job, adminInbox)
                            #expect(accepted.last?["job_id"].string == job)
                            #expect(accepted.last?["conversation_id"].string != nil)
                            // The notice in the member's conversation, then the job's own
                            // job.assigned, keyed by the job and in no conversation.
                            let notice = try await Self.until("job.assigned", job: job, adminInbox).last
                            #expect(notice?["job_id"] == .null && notice?["conversation_id"] == accepted.last?["conversation_id"])
                            let assigned = try await Self.until("job.assigned", job: job, adminInbox)
                            #expect(assigned.count == 1)
                            #expect(assigned.last?["job_id"].string == job)
                            #expect(assigned.last?["conversation_id"] == .null)
                            #expect(assigned.last?["data"]["organization_id"].string == tow)
                            #expect(assigned.last?["data"]["offer_id"].string == offerID.lowercased())

                            // Now the tow subcontractor's supervisor sees the job: its life goes on there.
                            try await withStream(client, token: towSupervisor.token) { towInbox, _ in
                                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"in_progress"}"#).status == .ok)
                                #expect(try await admin.patch("/v1/jobs/\(job)", #"{"status":"completed"}"#).status == .ok)
                                let towEvents = try await towInbox.events(2)
                                #expect(towEvents.map { $0["type"].string } == ["job.started", "job.completed"])
                                #expect(towEvents.map { $0["job_id"].string } == [job, job])
                                #expect(towEvents[0]["data"]["from"].string == "assigned")
                                #expect(towEvents[1]["data"]["status"].string == "completed")
                            }
                            let finished = try await Self.until("job.completed", job: job, adminInbox)
                            #expect(finished.compactMap { $0["job_id"].string == job ? $0["type"].string : nil } == ["job.started", "job.completed"])

                            // Resuming after job.offered replays the job's later events in order, once each.
                            let cursor = try #require(offered?["id"].string)
                            let replayed = try await withStream(client, query: "?after=\(cursor)", token: fixture.token) { inbox, _ in
                                try await Self.until("job.completed", job: job, inbox)
                            }
                            let jobEvents = replayed.filter { $0["job_id"].string == job }.compactMap { $0["type"].string }
                            #expect(jobEvents == ["offer.accepted", "job.assigned", "job.started", "job.completed"])

                            // Nothing of it reached the crane supervisor or the other tenant: the
                            // first event each gets is one of their own, written last.
                            let craneJob = try #require(try await admin.post("/v1/jobs", #"""
                                {"order_number":"PO-7002","title":"Lift","organization_id":"\#(crane)","status":"assigned"}
                                """#).json["id"].string)
                            let craneFirst = try await craneInbox.next()
                            #expect(craneFirst["type"].string == "job.created")
                            #expect(craneFirst["job_id"].string == craneJob)
                            let otherJob = try #require(try await APICaller(client, other).post("/v1/jobs", #"""
                                {"order_number":"PO-7001","title":"Theirs"}
                                """#).json["id"].string)
                            let otherFirst = try await otherInbox.next()
                            #expect(otherFirst["job_id"].string == otherJob)

                            // Back to open by hand is told too, with the status it left.
                            #expect(try await admin.patch("/v1/jobs/\(craneJob)", #"{"status":"open"}"#).status == .ok)
                            let reopened = try await Self.until("job.reopened", job: craneJob, adminInbox).last
                            #expect(reopened?["data"]["from"].string == "assigned")
                        }
                    }
                }
            }
        }
    }
}
