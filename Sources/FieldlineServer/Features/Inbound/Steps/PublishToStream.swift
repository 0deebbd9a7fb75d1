import Foundation

/// The live-stream events of each stored message, in order: the conversation opened, the
/// message created, the conversation woken, then what later steps added (routing's). They are
/// appended when the transaction commits (`TenantTransaction.stream`).
struct PublishToStream: InboundStep {
    var scope: InboundStepScope { .wave }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        var events: [NewStreamEvent] = []
        try await wave.forEachStored { item in
            let conversation = try item.requireConversation()
            if conversation.opened {
                events.append(NewStreamEvent(kind: .conversationOpened, conversationID: conversation.id, data: ["member_id": .id(item.memberID)]))
            }
            events.append(NewStreamEvent.messageCreated(item.messageID, in: conversation.id, direction: .inbound, kind: item.content.kind))
            if item.wakes {
                events.append(NewStreamEvent.statusChanged(conversation.id, from: .pending, to: .open, reason: .memberWrote))
            }
            events += item.followingEvents
        }
        transaction.stream(events)
    }
}
