import Foundation

/// Stores the wave's messages in one statement (`IngestStoreStatement`): each message; for each
/// one written to the desk, its conversation lifted in the queues and woken; held replies
/// released to the outbox; the wake-up recorded. A message an identical webhook stored first
/// (another instance) answers with that copy.
struct StoreMessages: InboundStep {
    var scope: InboundStepScope { .wave }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        let indices = wave.items.indices.filter { wave.items[$0].isActive }
        let rows = try indices.map { index in
            let item = wave.items[index]
            return IngestStoreRow(
                messageID: item.messageID, conversationID: try item.requireConversation().id, message: item.message,
                content: item.content, channelPostID: item.channelPostID, deskActivity: item.isDeskActivity,
                releaseHeld: item.releasesHeld, woke: item.wakes)
        }
        guard !rows.isEmpty else { return }
        let inserted = Set(try await transaction.rows(IngestStoreStatement(tenantID: transaction.tenantID, rows: rows)))
        let lost = indices.filter { !inserted.contains(wave.items[$0].messageID) }
        if !lost.isEmpty {
            // What this transaction did for a lost message beforehand (a member, a conversation,
            // a channel post) must not stay: start again, and find the stored copy then.
            let madeSomething = lost.contains { index in
                let item = wave.items[index]
                return item.newMember || item.conversation?.opened == true || item.channelPostID != nil
            }
            if madeSomething { throw LostDuplicateRace() }
            let found = try await LookUpSenders.lookUp(lost.map { wave.items[$0].message }, in: transaction)
            for (index, row) in zip(lost, found) {
                guard let existingID = row.1, let conversationID = row.2 else { throw LostDuplicateRace() }
                wave.items[index].existing = IngestResult(messageId: existingID, conversationId: conversationID, duplicate: true)
                wave.items[index].result = wave.items[index].existing
            }
        }
        for index in indices where inserted.contains(wave.items[index].messageID) {
            wave.items[index].stored = true
            wave.items[index].result = IngestResult(
                messageId: wave.items[index].messageID, conversationId: try wave.items[index].requireConversation().id, duplicate: false)
        }
    }
}
