import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Dispatch: job-level events of the clock, and a timer left behind by an Accept")
struct DispatchEventTests {
    typealias Support = BroadcastTestSupport

    @Test("offers expire: offer.expired and job.reopened on the job's own conversation and in the event log, bodies as the API answers")
    func expiryEvents() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            _ = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34612000001")
            _ = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow B", kmNorth: 2, digits: "34612000002")
            // The job's own conversation: a customer who wrote in.
            #expect(try await Support.whatsAppText(client, hook, from: "34612000099", id: "wamid.CUSTOMER", text: "my van broke down").status == .ok)
            let own = try #require(try await fixtures.database.withTenant(tenant) { connection in
                try await connection.query("""
                    SELECT c.id FROM conversations c JOIN member_identities i ON i.tenant_id = c.tenant_id AND i.member_id = c.member_id
                    WHERE c.tenant_id = \(tenant) AND i.external_id = '+34612000099'
                    """, logger: fixtures.database.logger).first { try $0.decode(UUID.self) }
            })
            let job = try #require(try await admin.post("/v1/jobs", #"""
                {"order_number":"PO-EVT","title":"Tow","latitude":40.4168,"longitude":-3.7038,"required_tags":["towing"],"conversation_id":"\#(own.uuidString.lowercased())"}
                """#).json["id"].string)
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", #"{"timeout_seconds":600}"#).status == .created)
            // The offers' messages go out first, so the events' bodies and the API agree on their delivery.
            #expect(try await eventually {
                try await admin.get("/v1/jobs/\(job)/offers").json["data"].array.allSatisfy { $0["recipients"][0]["delivery_status"].string == "sent" }
            })
            try await DispatchClock.advance(fixtures, tenant, seconds: 601)
            #expect(try await eventually { try await admin.get("/v1/jobs/\(job)").json["status"].string == "open" })
            #expect(try await Support.noticesSent(fixtures, tenant))

            // The stream: each offer's expiry in its recipients' conversations and in the job's own; the reopening there too.
            let onJob = try await streamKinds(fixtures, tenant, conversation: own)
            #expect(onJob.filter { $0 == "offer.expired" }.count == 2, "\(onJob)")
            #expect(onJob.filter { $0 == "job.reopened" }.count == 1, "\(onJob)")
            #expect(try await Support.published(fixtures, tenant, kind: "offer.expired", count: 4))

            // The event log: two offer.expired (the offers as GET /v1/jobs/{id}/offers answers them) and one job.reopened.
            let erpKey = try #require(try await admin.post("/v1/api-keys", #"{"name":"ERP","scopes":["events:read"]}"#).json["key"].string)
            let erp = APICaller(client, token: erpKey)
            let events = try await EventsTests.all(erp, count: 3, types: "offer.expired,job.reopened", limit: 10)
            #expect(events.map { $0["type"].string } == ["offer.expired", "offer.expired", "job.reopened"])
            let offers = try await admin.get("/v1/jobs/\(job)/offers").json["data"].array
            let expired = events.filter { $0["type"].string == "offer.expired" }.map { $0["data"] }
            #expect(Set(expired.compactMap { $0["id"].string }) == Set(offers.compactMap { $0["id"].string }))
            for body in expired {
                let offer = try #require(offers.first { $0["id"].string == body["id"].string })
                #expect(body == offer, "the event's body is the offer as the API answers it")
                #expect(body["status"].string == "expired")
            }
            let reopened = try #require(events.last)
            #expect(reopened["data"]["id"].string == job)
            #expect(reopened["data"]["status"].string == "open")
        }
    }

    @Test("the dispatch.tick an Accept leaves behind runs and changes nothing: no status, offer, message, event or history")
    func leftoverTick() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let a = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34612000011")
            _ = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow B", kmNorth: 2, digits: "34612000012")
            let job = try await Support.job(admin, "PO-LEFT")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", #"{"timeout_seconds":600}"#).status == .created)
            let offers = try await Support.offers(admin, job)
            let choice = "offer:\(offers[a.org]?["id"].string?.lowercased() ?? ""):accept"
            #expect(try await Support.whatsAppButton(client, hook, from: "34612000011", id: "wamid.LEFT1", choiceID: choice).status == .ok)
            #expect(try await Support.noticesSent(fixtures, tenant))
            #expect(try await DispatchClock.nextTick(fixtures, tenant) != nil, "the broadcast's timer is still queued")
            // Everything else settles first (the notices' sends), so only the timer could change what follows.
            #expect(try await eventually { try await snapshot(fixtures, tenant).last == 0 })
            let before = try await snapshot(fixtures, tenant)
            let jobBefore = try await admin.get("/v1/jobs/\(job)").json
            let offersBefore = try await admin.get("/v1/jobs/\(job)/offers").json

            // Its time comes (past every offer's expiry): the worker runs it.
            try await DispatchClock.advance(fixtures, tenant, seconds: 700)
            #expect(try await eventually { try await DispatchClock.nextTick(fixtures, tenant) == nil })
            #expect(try await ticksDone(fixtures, tenant) >= 1)
            try await Task.sleep(for: .milliseconds(300))

            let after = try await snapshot(fixtures, tenant)
            #expect(after == before, "messages, events, stream events, job history, pending outbox rows: \(before) then \(after)")
            let jobAfter = try await admin.get("/v1/jobs/\(job)").json
            #expect(jobAfter == jobBefore)
            #expect(jobAfter["status"].string == "assigned")
            #expect(jobAfter["organization_id"].string == a.org)
            let offersAfter = try await admin.get("/v1/jobs/\(job)/offers").json
            #expect(offersAfter["data"].array.map { $0["status"].string } == offersBefore["data"].array.map { $0["status"].string })
            #expect(offersAfter["data"].array.map { $0["updated_at"].string } == offersBefore["data"].array.map { $0["updated_at"].string })
        }
    }

    /// Counts of what a timer could write: messages, business events, stream events, job history, pending outbox rows.
    private func snapshot(_ fixtures: Fixtures, _ tenant: UUID) async throws -> [Int] {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query("""
                SELECT (SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant)),
                       (SELECT count(*)::int FROM events WHERE tenant_id = \(tenant)),
                       (SELECT count(*)::int FROM stream_pending WHERE tenant_id = \(tenant))
                         + (SELECT count(*)::int FROM stream_events WHERE tenant_id = \(tenant)),
                       (SELECT count(*)::int FROM job_history WHERE tenant_id = \(tenant)),
                       (SELECT count(*)::int FROM outbox WHERE tenant_id = \(tenant) AND topic <> 'dispatch.tick'
                          AND done_at IS NULL AND dead_at IS NULL)
                """, logger: fixtures.database.logger
            ).first { row in
                let c = try row.decode((Int, Int, Int, Int, Int).self)
                return [c.0, c.1, c.2, c.3, c.4]
            } ?? []
        }
    }

    /// How many `dispatch.tick` rows of the tenant have run.
    private func ticksDone(_ fixtures: Fixtures, _ tenant: UUID) async throws -> Int {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query(
                "SELECT count(*)::int FROM outbox WHERE tenant_id = \(tenant) AND topic = 'dispatch.tick' AND done_at IS NOT NULL",
                logger: fixtures.database.logger
            ).first { try $0.decode(Int.self) } ?? 0
        }
    }

    @Test("assigned by hand: job.assigned on the job's own conversation, naming the subcontractor and no offer")
    func manualAssignmentEvent() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let tow = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34612000011")
            #expect(try await Support.whatsAppText(client, hook, from: "34612000098", id: "wamid.CUSTOMER2", text: "flat tyre").status == .ok)
            let own = try #require(try await fixtures.database.withTenant(tenant) { connection in
                try await connection.query("""
                    SELECT c.id FROM conversations c JOIN member_identities i ON i.tenant_id = c.tenant_id AND i.member_id = c.member_id
                    WHERE c.tenant_id = \(tenant) AND i.external_id = '+34612000098'
                    """, logger: fixtures.database.logger).first { try $0.decode(UUID.self) }
            })
            let job = try #require(try await admin.post("/v1/jobs", #"""
                {"order_number":"PO-HAND","title":"Tow","latitude":40.4168,"longitude":-3.7038,"required_tags":["towing"],"conversation_id":"\#(own.uuidString.lowercased())"}
                """#).json["id"].string)
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
            #expect(try await admin.post("/v1/jobs/\(job)/assign", #"{"organization_id":"\#(tow.org)"}"#).status == .ok)
            let events = try await Self.assignedEvents(fixtures, tenant, in: own)
            #expect(events.count == 1, "\(events)")
            let data = try JSONDecoder().decode(JSON.self, from: Data((events.first ?? "{}").utf8))
            #expect(data["job_id"].string == job && data["organization_id"].string == tow.org && data["order_number"].string == "PO-HAND")
            #expect(data.has("offer_id") && data["offer_id"].isNull && data.has("crew_id") && data["crew_id"].isNull)
        }
    }

    @Test("assigned by an Accept: job.assigned on the job's own conversation too, naming the offer")
    func acceptAssignmentEvent() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            let tow = try await DispatchClock.subcontractor(admin, client, hook: hook, "Tow A", kmNorth: 1, digits: "34612000011")
            #expect(try await Support.whatsAppText(client, hook, from: "34612000098", id: "wamid.CUSTOMER3", text: "flat tyre").status == .ok)
            let own = try #require(try await fixtures.database.withTenant(tenant) { connection in
                try await connection.query("""
                    SELECT c.id FROM conversations c JOIN member_identities i ON i.tenant_id = c.tenant_id AND i.member_id = c.member_id
                    WHERE c.tenant_id = \(tenant) AND i.external_id = '+34612000098'
                    """, logger: fixtures.database.logger).first { try $0.decode(UUID.self) }
            })
            let job = try #require(try await admin.post("/v1/jobs", #"""
                {"order_number":"PO-TAKEN","title":"Tow","latitude":40.4168,"longitude":-3.7038,"required_tags":["towing"],"conversation_id":"\#(own.uuidString.lowercased())"}
                """#).json["id"].string)
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
            let offer = try #require(try await Support.offers(admin, job)[tow.org]?["id"].string)
            #expect(try await Support.whatsAppButton(client, hook, from: "34612000011", id: "wamid.TAKE", choiceID: "offer:\(offer):accept").status == .ok)
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "assigned")
            let events = try await Self.assignedEvents(fixtures, tenant, in: own)
            #expect(events.count == 1, "\(events)")
            let data = try JSONDecoder().decode(JSON.self, from: Data((events.first ?? "{}").utf8))
            #expect(data["job_id"].string == job && data["organization_id"].string == tow.org && data["offer_id"].string == offer)
        }
    }

    /// The data of the `job.assigned` stream events of one conversation, published or waiting.
    static func assignedEvents(_ fixtures: Fixtures, _ tenant: UUID, in own: UUID) async throws -> [String] {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query("""
                SELECT data::text FROM (
                    SELECT data, 0 AS part, id AS position FROM stream_events WHERE tenant_id = \(tenant) AND conversation_id = \(own) AND kind = 'job.assigned'
                    UNION ALL
                    SELECT data, 1, 0 FROM stream_pending WHERE tenant_id = \(tenant) AND conversation_id = \(own) AND kind = 'job.assigned'
                ) k ORDER BY part, position
                """, logger: fixtures.database.logger
            ).collect { try $0.decode(String.self) }
        }
    }

    /// The kinds of the stream events of one conversation, published or waiting, oldest first.
    private func streamKinds(_ fixtures: Fixtures, _ tenant: UUID, conversation: UUID) async throws -> [String] {
        try await eventually { try await Support.noticesSent(fixtures, tenant) } ? fixtures.database.withTenant(tenant) { connection in
            try await connection.query("""
                SELECT kind FROM (
                    SELECT kind, 0 AS part, id AS position FROM stream_events WHERE tenant_id = \(tenant) AND conversation_id = \(conversation)
                    UNION ALL
                    SELECT kind, 1, 0 FROM stream_pending WHERE tenant_id = \(tenant) AND conversation_id = \(conversation)
                ) k ORDER BY part, position
                """, logger: fixtures.database.logger
            ).collect { try $0.decode(String.self) }
        } : []
    }
}
