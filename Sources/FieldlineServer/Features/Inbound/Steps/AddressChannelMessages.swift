import Foundation

/// Finds the horizontal channel each message speaks in (a quoted reply to a relay copy, or a
/// text starting with the channel's `#handle`), once per batch and before any conversation is
/// locked: addressing takes the tenant's post lock, which must come first
/// (see `PostgresChannelsRepository.lockPosts`). A stored copy (a retried webhook) gets none,
/// without waiting for the post lock.
struct AddressChannelMessages: InboundStep {
    let channels: any MemberChannelMessages

    var scope: InboundStepScope { .batch }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        try await wave.forEachActive { item in
            item.channelAddress = try await channels.channelAddress(of: item.message, in: transaction)
        }
    }
}
