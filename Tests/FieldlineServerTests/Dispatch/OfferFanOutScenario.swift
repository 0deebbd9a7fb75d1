import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

extension OfferFanOutTests {
    /// The large round of `nearestFirstThenTheRest` and `CitusTests.dispatchLargeRound`: `count`
    /// subcontractors (`seed`, more than `OfferFanOut.inline`) get a broadcast of job `order`; the
    /// nearest `inline` have their messages in the request's answer, the rest right after from
    /// the outbox (`dispatch.deliver`), each offer with one message, one recipient and one send.
    /// The farthest accepts from the crews' app and wins; the others are withdrawn right after
    /// (`dispatch.withdraw`), each recipient told once, and a later Accept is already taken.
    static func largeRoundScenario(
        _ client: any TestClientProtocol, _ fixtures: Fixtures, _ admin: APICaller, _ tenant: UUID, count: Int, order: String
    ) async throws {
        try await Self.seed(count, fixtures, tenant)
        let key = try await Self.appKey(admin)
        let job = try await Support.job(admin, order)

        let broadcast = try await admin.post("/v1/jobs/\(job)/broadcast", "{}")
        #expect(broadcast.status == .created, "\(broadcast.text)")
        let offers = broadcast.json["offers"].array
        #expect(offers.count == count)
        let sent = offers.filter { $0["delivery_pending"].bool == false }
        let pending = offers.filter { $0["delivery_pending"].bool == true }
        #expect(sent.count == OfferFanOut.inline && pending.count == count - OfferFanOut.inline)
        #expect(sent.allSatisfy { $0["recipients"].array.count == 1 })
        #expect(pending.allSatisfy { $0["recipients"].array.isEmpty && $0["status"].string == "sent" })
        let farthestSent = sent.compactMap { $0["distance_m"].double }.max() ?? .infinity
        #expect(pending.allSatisfy { ($0["distance_m"].double ?? 0) > farthestSent }, "the nearest go first")

        #expect(try await eventually(seconds: 90) {
            try await Support.offers(admin, job).values.allSatisfy {
                $0["delivery_pending"].bool == false && $0["recipients"].array.count == 1
            }
        })
        // One offer message, one recipient row and one send each: nothing twice.
        #expect(try await Self.count(fixtures, tenant, """
            SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND kind = 'choice' AND direction = 'outbound'
            """) == count)
        #expect(try await Self.count(fixtures, tenant, "SELECT count(*)::int FROM offer_recipients WHERE tenant_id = \(tenant)") == count)
        #expect(try await Self.count(fixtures, tenant, """
            SELECT count(*)::int FROM outbox WHERE tenant_id = \(tenant) AND topic = 'message.send'
            """) == count)
        #expect(try await Self.count(fixtures, tenant, """
            SELECT count(*)::int FROM stream_events WHERE tenant_id = \(tenant) AND kind = 'message.created'
            """) >= count)

        // The farthest subcontractor, reached by the fan-out, accepts from the app.
        let answered = try await Self.answer(client, key: key, sender: "fan-\(count)", id: "fan-accept-\(count)", text: "Accept \(order)")
        #expect(answered.status == .ok || answered.status == .created, "\(answered.body.getString(at: 0, length: answered.body.readableBytes) ?? "")")
        let assigned = try await admin.get("/v1/jobs/\(job)").json
        #expect(assigned["status"].string == "assigned", "\(assigned)")
        let farthest = offers.max { ($0["distance_m"].double ?? 0) < ($1["distance_m"].double ?? 0) }
        #expect(assigned["organization_id"].string == farthest?["organization_id"].string)

        // The others are withdrawn right after (dispatch.withdraw), each recipient told once;
        // a later Accept is "already taken", decided without the job's lock, and changes nothing.
        #expect(try await eventually(seconds: 90) {
            try await Support.offers(admin, job).values.filter { $0["status"].string == "withdrawn" }.count == count - 1
        })
        #expect(try await Support.noticesSent(fixtures, tenant))
        let late = try await Self.answer(client, key: key, sender: "fan-7", id: "fan-accept-7", text: "Accept \(order)")
        #expect(late.status.code < 300)
        let after = try await Support.offers(admin, job).values
        #expect(after.filter { $0["status"].string == "accepted" }.count == 1)
        #expect(after.filter { $0["status"].string == "withdrawn" }.count == count - 1)
        let seventh = try await Self.member(fixtures, tenant, app: "fan-7")
        let texts = try await Support.systemTexts(fixtures, tenant, member: seventh)
        #expect(texts.filter { $0 == "\(order) was taken by another provider. Thank you." }.count == 1, "\(texts)")
        #expect(texts.last == "Sorry, \(order) is already taken.", "\(texts)")
        #expect(try await Self.count(fixtures, tenant, """
            SELECT count(*)::int FROM messages WHERE tenant_id = \(tenant) AND body = \("\(order) was taken by another provider. Thank you.")
            """) == count - 1)
    }
}
