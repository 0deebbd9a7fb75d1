import Foundation

/// The "Job done" choice on the message that tells a crew a job is theirs.
///
/// Pressing it (a button, or its number on SMS) is the crew saying the job is done: it starts the
/// tenant's flows with a `job_done` trigger (the shipped proof-of-service flow) for that very job,
/// where a typed "done" can only guess the member's current one. The id carries the job
/// (`job:<job id>:done`) so the press names it on every provider.
public enum JobDoneChoice {
    /// The choice id for `jobID`.
    public static func id(_ jobID: UUID) -> String {
        "job:\(jobID.uuidString.lowercased()):done"
    }

    /// The choice for the job with `orderNumber`, its title naming the order.
    public static func choice(_ jobID: UUID, orderNumber: String) -> ReplyChoice {
        ReplyChoice(id: id(jobID), title: "Job done \(orderNumber.prefix(OfferChoice.maxOrderNumberInTitle))")
    }

    /// The job a choice id names, or nil when it is not a "Job done" choice.
    public static func parse(_ choiceID: String) -> UUID? {
        let parts = choiceID.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "job", parts[2] == "done" else { return nil }
        return UUID(uuidString: String(parts[1]))
    }
}
