import FieldlineDomain
import Foundation
import Testing

@Suite("Offer choices: ids that carry the offer, titles that carry the order number")
struct OfferChoiceTests {
    @Test("a choice id names its offer and answer, and reads back; others read as nil")
    func ids() throws {
        let offer = UUID()
        let choices = OfferChoice.choices(offer, orderNumber: "PO-1001")
        #expect(choices.map(\.title) == ["Accept PO-1001", "Decline PO-1001"])
        #expect(choices[0].id == "offer:\(offer.uuidString.lowercased()):accept")
        #expect(choices.allSatisfy { $0.id.utf8.count <= ReplyContent.maxChoiceIDBytes })
        let parsed = try #require(OfferChoice.parse(choices[1].id))
        #expect(parsed.offerID == offer && parsed.answer == .decline)
        for other in ["job42:accept", "offer:nope:accept", "offer:\(offer.uuidString):maybe", "offer:\(offer.uuidString):accept:x"] {
            #expect(OfferChoice.parse(other) == nil)
        }
    }

    @Test("a title written back picks its offer among several, ignoring case and spaces; long order numbers are cut")
    func titles() {
        let first = UUID(), second = UUID()
        let offers = [(id: first, orderNumber: "PO-1"), (id: second, orderNumber: "PO-2")]
        #expect(OfferChoice.match(" accept po-1 ", among: offers).map { [$0.offerID == first, $0.answer == .accept] } == [true, true])
        #expect(OfferChoice.match("Decline PO-2", among: offers).map { [$0.offerID == second, $0.answer == .decline] } == [true, true])
        #expect(OfferChoice.match("Accept PO-3", among: offers) == nil)
        #expect(OfferChoice.mayBeTitle("Accept PO-1") && !OfferChoice.mayBeTitle("1") && !OfferChoice.mayBeTitle("acceptable"))
        let long = String(repeating: "9", count: 100)
        #expect(OfferChoice.title(.decline, orderNumber: long).count <= ReplyContent.maxChoiceTitleLength)
    }

    @Test("\"Job done\" names its job and reads back; offer choices and other ids are not it")
    func jobDone() throws {
        let job = UUID()
        let choice = JobDoneChoice.choice(job, orderNumber: "PO-1001")
        #expect(choice.title == "Job done PO-1001")
        #expect(JobDoneChoice.parse(choice.id) == job)
        #expect(choice.id.utf8.count <= ReplyContent.maxChoiceIDBytes)
        #expect(JobDoneChoice.choice(job, orderNumber: String(repeating: "9", count: 100)).title.count <= ReplyContent.maxChoiceTitleLength)
        for other in [OfferChoice.id(job, .accept), "job:\(job.uuidString):undone", "job:nope:done", "job:\(job.uuidString):done:x", "done"] {
            #expect(JobDoneChoice.parse(other) == nil, "\(other)")
        }
        #expect(OfferChoice.parse(choice.id) == nil)
    }
}
