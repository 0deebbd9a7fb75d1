import FieldlineDomain
import Foundation

extension OfferedJob {
    /// The job's own stream event: keyed by the job, so whoever may see the job receives it, and
    /// in its own conversation when it has one (docs/stream.md, "Jobs on the stream").
    func streamEvent(_ kind: StreamEventKind, _ data: [String: StreamValue] = [:]) -> NewStreamEvent {
        NewStreamEvent(kind: kind, conversationID: conversationID, jobID: id, data: data.merging([
            "job_id": .id(id), "order_number": .string(orderNumber),
        ]) { given, _ in given })
    }

    /// `job.assigned` as the job's own event. `answeredIn` is the conversation of the Accept
    /// that won, whose own `job.assigned` already is the job's event when the job belongs to it
    /// (then nil).
    func assignedEvent(to organizationID: UUID, crew crewID: UUID?, offerID: UUID?, answeredIn: UUID? = nil) -> NewStreamEvent? {
        guard conversationID == nil || conversationID != answeredIn else { return nil }
        return streamEvent(.jobAssigned, [
            "offer_id": .id(offerID), "organization_id": .id(organizationID), "crew_id": .id(crewID),
        ])
    }
}
