import Foundation
import Testing
@testable import FieldlineServer

/// The offers' hand-written JSON (`OfferJSON.swift`) must be the API encoder's, byte for byte.
@Suite("Dispatch: offers written as JSON directly")
struct OfferJSONTests {
    static func offer(_ index: Int, recipients: Int, answered: Bool, name: String = "Grúas Centro") -> Offer {
        let base = Date(timeIntervalSince1970: 1_796_000_000.123 + Double(index) * 0.5)
        return Offer(
            id: UUID(), jobId: UUID(), organizationId: UUID(), organizationName: name, round: index + 1,
            status: answered ? "accepted" : "sent", distanceM: index % 3 == 0 ? nil : [3876.4, 12.0, 0.1, 1e-7, 2_000_000][index % 5],
            recipients: (0..<recipients).map { r in
                OfferRecipient(memberId: UUID(), conversationId: UUID(), messageId: UUID(),
                               deliveryStatus: r % 2 == 0 ? "queued" : "failed",
                               deliveryError: r % 2 == 0 ? nil : "whatsapp service window closed: \"quoted\" / slash\n\t\u{1}")
            },
            deliveryPending: recipients == 0, answeredByMemberId: answered ? UUID() : nil, answeredAt: answered ? base : nil,
            expiresAt: index % 4 == 1 ? nil : base.addingTimeInterval(900), wave: 1 + index % 2, createdBy: "user:\(UUID())",
            createdAt: base, updatedAt: base.addingTimeInterval(0.001))
    }

    static let offers = (0..<12).map {
        offer($0, recipients: $0 % 3, answered: $0 % 4 == 2, name: $0 == 5 ? "Tow \\ \"Best\" </a> \u{7}" : "Grúas Centro")
    }

    static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try AppRequestContext.encoder.encode(value), as: UTF8.self)
    }

    static func written(_ value: some JSONTextResponse) -> String {
        String(decoding: value.jsonText, as: UTF8.self)
    }

    @Test("a broadcast's answer, with and without unreachable subcontractors")
    func broadcast() throws {
        for unreachable in [[], [UUID(), UUID()]] {
            let value = Broadcast(jobId: UUID(), round: 2, mode: "all", status: "offered", offers: Self.offers, unreachableOrganizationIds: unreachable)
            #expect(Self.written(value) == (try Self.encoded(value)))
        }
        let empty = Broadcast(jobId: UUID(), round: 1, mode: "one_by_one", status: "offered", offers: [], unreachableOrganizationIds: [])
        #expect(Self.written(empty) == (try Self.encoded(empty)))
    }

    @Test("a job's offers, and an agent's action's outcome with and without an assignee")
    func listAndOutcome() throws {
        let list = OfferList(data: Self.offers)
        #expect(Self.written(list) == (try Self.encoded(list)))
        for (organization, crew) in [(UUID?.none, UUID?.none), (UUID(), nil), (UUID(), UUID())] {
            let outcome = DispatchOutcome(jobId: UUID(), status: "assigned", organizationId: organization, crewId: crew, offers: Self.offers)
            #expect(Self.written(outcome) == (try Self.encoded(outcome)))
        }
    }
}
