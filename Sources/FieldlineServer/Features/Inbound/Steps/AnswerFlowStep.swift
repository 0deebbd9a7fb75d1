import FieldlineChannels
import FieldlineDomain
import Foundation

/// A member's message in a conversation where a flow run waits is the run's answer
/// (`FlowEngine`): saved and on to the next step, a photo collected, or re-prompted. Otherwise
/// the message may start a flow: a keyword trigger (the whole message), a new conversation, or
/// the "Job done" choice of an assignment message (`job_done`, for the job it names).
/// A message the flow took is not routed (the bot has the conversation until it ends or hands
/// off). Answers to dispatch offers and words said in a channel are not the flow's. The run's
/// messages go through the outbox, keyed by run, step and send number (docs/flows.md#runs).
struct AnswerFlowStep: InboundStep {
    let runtime: FlowRuntime

    var scope: InboundStepScope { .message }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        try await wave.forEachActive { item in
            guard item.isDeskActivity, let memberID = item.memberID, let conversation = item.conversation,
                  !Self.answersOffer(item.content) else { return }
            if var run = try await FlowRunRecord.lockWaiting(in: conversation.id, transaction) {
                item.heldByFlow = true
                item.followingEvents += try await runtime.handle(.answer(Self.answer(item)), &run, transaction)
                return
            }
            let mayMatchKeyword = item.content.kind == .text && (item.content.text?.count ?? 0) <= 100
            let doneJob = Self.jobDone(item.content)
            guard mayMatchKeyword || conversation.opened || doneJob != nil else { return }
            guard !(try await FlowRunRecord.underWay(in: conversation.id, transaction)) else { return }
            // "Job done" names its job; it starts nothing once the job is no longer the member's
            // organization's to do (the message is then routed like any other).
            var ownDoneJob: UUID?
            if let doneJob { ownDoneJob = try await FlowContext.ownJob(doneJob, of: memberID, transaction) }
            for candidate in try await Self.triggered(transaction) {
                let byDone = ownDoneJob != nil && candidate.triggers.contains { $0.kind == .jobDone }
                let matches = byDone || candidate.triggers.contains { trigger in
                    (trigger.kind == .keyword && trigger.matches(text: item.content.text ?? ""))
                        || (trigger.kind == .newConversation && conversation.opened)
                }
                guard matches else { continue }
                let jobID = byDone ? ownDoneJob : candidate.needsJob ? try await FlowContext.currentJob(of: memberID, transaction) : nil
                guard !candidate.needsJob || jobID != nil else { continue }
                let trigger = byDone ? "job_done" : conversation.opened && !mayMatchKeyword ? "new_conversation" : "keyword"
                let started = try await runtime.start(
                    flowID: candidate.id, memberID: memberID, conversationID: conversation.id, jobID: jobID,
                    startedBy: "trigger:\(trigger)", transaction)
                item.heldByFlow = true
                item.followingEvents += started.events
                return
            }
        }
    }

    /// The job a "Job done" press names (`JobDoneChoice`), or nil.
    static func jobDone(_ content: StoredContent) -> UUID? {
        guard content.kind == .choice else { return nil }
        return content.payload["choice_id"]?.string.flatMap(JobDoneChoice.parse)
    }

    /// A choice that answers a dispatch offer (`AnswerOffer` took it).
    static func answersOffer(_ content: StoredContent) -> Bool {
        content.kind == .choice && (content.payload["choice_id"]?.string.map { OfferChoice.parse($0) != nil } ?? false)
    }

    /// The message as the run reads it; a photo is collected as the stored message's id.
    static func answer(_ item: InboundItem) -> FlowAnswer {
        let content = item.content
        switch content.kind {
        case .text:
            return FlowAnswer(kind: .text, text: content.text)
        case .choice:
            return FlowAnswer(kind: .choice, text: content.text, choiceID: content.payload["choice_id"]?.string)
        case .image:
            return FlowAnswer(kind: .image, text: content.text, messageID: item.messageID.uuidString.lowercased())
        case .location:
            return FlowAnswer(
                kind: .location, latitude: content.payload["latitude"]?.double, longitude: content.payload["longitude"]?.double)
        default:
            return FlowAnswer(kind: .other, text: content.text)
        }
    }

    /// A flow that a member's message may start.
    struct Candidate {
        let id: UUID
        let triggers: [FlowTrigger]
        let needsJob: Bool
    }

    /// The tenant's enabled flows with a keyword, new-conversation or job-done trigger, oldest first.
    static func triggered(_ transaction: TenantTransaction) async throws -> [Candidate] {
        try await transaction.query("""
            SELECT f.id, f.triggers::text, v.definition::text FROM flows f
            JOIN flow_versions v ON v.tenant_id = f.tenant_id AND v.flow_id = f.id AND v.version = f.current_version
            WHERE f.tenant_id = \(transaction.tenantID) AND f.enabled
              AND (f.triggers @> '[{"type": "keyword"}]' OR f.triggers @> '[{"type": "new_conversation"}]'
                   OR f.triggers @> '[{"type": "job_done"}]')
            ORDER BY f.id
            """
        ).collect { row in
            let (id, triggers, definition) = try row.decode((UUID, String, String).self)
            let decoder = JSONDecoder()
            return Candidate(
                id: id, triggers: try decoder.decode([FlowTrigger].self, from: Data(triggers.utf8)),
                needsJob: try decoder.decode(FlowDefinition.self, from: Data(definition.utf8)).needsJob)
        }
    }
}
