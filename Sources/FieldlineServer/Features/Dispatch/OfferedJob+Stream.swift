import FieldlineDomain
import Foundation

extension OfferedJob {
    /// `job.assigned` on the stream in the job's own conversation, when it has one and it is not
    /// `except` (an Accept's event is already in the answering member's), as the clock's job
    /// events are: the agent following the job sees every assignment, by hand (`offerID` nil)
    /// or by an Accept.
    func streamAssigned(to organizationID: UUID, crew crewID: UUID?, offerID: UUID?, except: UUID? = nil, _ transaction: TenantTransaction) {
        guard let own = conversationID, own != except else { return }
        transaction.stream([NewStreamEvent(kind: .jobAssigned, conversationID: own, data: [
            "job_id": .id(id), "order_number": .string(orderNumber), "offer_id": .id(offerID),
            "organization_id": .id(organizationID), "crew_id": .id(crewID),
        ])])
    }
}
