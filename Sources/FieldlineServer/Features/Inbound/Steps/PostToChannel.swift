import Foundation

/// Posts the words of a member's message that speaks in a horizontal channel, relayed to every
/// other participant member on their own app (docs/channels.md). The stored message remembers
/// the post it made.
struct PostToChannel: InboundStep {
    let channels: any MemberChannelMessages

    var scope: InboundStepScope { .message }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        try await wave.forEachActive { item in
            guard let address = item.channelAddress else { return }
            item.channelPostID = try await channels.post(address, in: transaction)
        }
    }
}
