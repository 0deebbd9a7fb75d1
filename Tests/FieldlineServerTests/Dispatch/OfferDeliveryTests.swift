import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Dispatch: offers follow the delivery reports of their messages")
struct OfferDeliveryTests {
    typealias Support = BroadcastTestSupport

    /// A signed WhatsApp status report for the outbound message `id`.
    static func status(_ id: String, _ status: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"106540352242922"},"statuses":[{"id":"\#(id)","status":"\#(status)","timestamp":"1749416400","recipient_id":"34600000001"}]},"field":"messages"}]}]}"#
    }

    @Test("delivered, then read, never back; an answered offer stays answered")
    func deliveryReports() async throws {
        try await DispatchClock.withTenant { client, fixtures, admin, tenant, hook in
            try await Self.reportsScenario(client, fixtures, admin, tenant, hook)
        }
    }

    /// An offer follows its message's signed WhatsApp status reports: `sent`, `delivered`, `read`,
    /// not back to `delivered`; each move is an `offer.status_changed` on the case timeline (the
    /// offers' history trigger) and an `offer.delivered` / `offer.read` stream event, and once
    /// accepted a late `read` leaves it accepted. Run on a
    /// single PostgreSQL (`DispatchClock.withTenant`) and on Citus (`CitusTests.withDispatchTenant`).
    static func reportsScenario(
        _ client: any TestClientProtocol, _ fixtures: Fixtures, _ admin: APICaller, _ tenant: UUID, _ hook: String
    ) async throws {
        let org = try await Support.subcontractor(admin, "Tow")
        _ = try await Support.member(admin, org, digits: "34600000001")
        #expect(try await Support.whatsAppText(client, hook, from: "34600000001", id: "wamid.H1", text: "hola").status == .ok)
        let job = try await Support.job(admin, "PO-9")
        #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)
        let offer = try #require(try await Support.offers(admin, job)[org])
        let conversation = try #require(offer["recipients"][0]["conversation_id"].string)
        let message = try #require(offer["recipients"][0]["message_id"].string)
        #expect(try await eventually {
            try await ProviderTestSupport.message(admin, conversation, message)?["delivery_status"].string == "sent"
        })
        // The provider's id for it (`wamid.OUT-<n>`, n counting every send the fake provider answered).
        let sent = try #require(try await ProviderTestSupport.message(admin, conversation, message)?["provider_message_id"].string)
        func offerStatus() async throws -> String? { try await Support.offers(admin, job)[org]?["status"].string }
        for (report, expected) in [("delivered", "delivered"), ("read", "read"), ("delivered", "read")] {
            #expect(try await WebhookTests.postSigned(client, hook, Self.status(sent, report)).status == .ok)
            #expect(try await offerStatus() == expected, "after \(report)")
            #expect(try await ProviderTestSupport.message(admin, conversation, message)?["delivery_status"].string == expected)
        }
        let changes = try await admin.get("/v1/jobs/\(job)/timeline").json["data"].array
            .filter { $0["type"].string == "offer.status_changed" }
            .map { "\($0["from_status"].string ?? "-")>\($0["to_status"].string ?? "-")" }
        #expect(changes == ["sent>delivered", "delivered>read"], "\(changes)")
        let accept = "offer:\(try #require(offer["id"].string).lowercased()):accept"
        #expect(try await Support.whatsAppButton(client, hook, from: "34600000001", id: "wamid.A", choiceID: accept).status == .ok)
        #expect(try await WebhookTests.postSigned(client, hook, Self.status(sent, "read")).status == .ok)
        #expect(try await offerStatus() == "accepted")
        #expect(try await Support.published(fixtures, tenant, kind: "offer.accepted", count: 1))
        #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "assigned")
        // On the stream, in the recipient's conversation and keyed by the job: one event a move,
        // none for the report that went backwards or came after the Accept (published before it).
        let moves = try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query("""
                SELECT kind, conversation_id, job_id, data->>'offer_id' FROM stream_events
                WHERE tenant_id = \(tenant) AND kind IN ('offer.delivered', 'offer.read') ORDER BY id
                """, logger: fixtures.database.logger).collect { try $0.decode((String, UUID, UUID, String).self) }
        }
        #expect(moves.map(\.0) == ["offer.delivered", "offer.read"])
        #expect(moves.allSatisfy { $0.1.uuidString.lowercased() == conversation.lowercased() && $0.2.uuidString.lowercased() == job.lowercased() })
        #expect(moves.allSatisfy { $0.3 == offer["id"].string?.lowercased() })
    }
}
