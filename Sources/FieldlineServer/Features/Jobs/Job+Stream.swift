import FieldlineDomain
import Foundation

extension Job {
    /// The stream event of a job's creation or of its move into another status through the jobs
    /// API (`job.created`, `job.assigned`, `job.started`, `job.completed`, `job.cancelled`,
    /// `job.expired`, and `job.reopened` back to `open`), keyed by the job (docs/stream.md,
    /// "Jobs on the stream"); nil when the status stayed.
    func streamEvent(before: JobStatus?) -> NewStreamEvent? {
        let kind: StreamEventKind?
        if let before {
            // Back to `open` by hand has no business event, but the agent's board must see it.
            kind = before == status ? nil
                : status == .open ? .jobReopened
                : BusinessEventType.job(enteredStatus: status).flatMap { StreamEventKind(rawValue: $0.rawValue) }
        } else {
            kind = .jobCreated
        }
        guard let kind else { return nil }
        return NewStreamEvent(kind: kind, conversationID: conversationId, jobID: id, data: [
            "job_id": .id(id), "order_number": .string(orderNumber), "status": .string(status.rawValue),
            "from": before.map { .string($0.rawValue) } ?? .null,
            "organization_id": .id(organizationId), "crew_id": .id(crewId),
        ])
    }
}
