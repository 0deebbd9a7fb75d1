import Foundation

/// Queues the download of the file each stored image or document message carries: a `pending`
/// media row and its outbox work, in the transaction that stores the message, so neither exists
/// without the other. The download runs later, outside the webhook.
struct QueueMediaFetch: InboundStep {
    let media: any MediaFetchQueue

    var scope: InboundStepScope { .wave }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        try await wave.forEachStored { item in
            guard let file = item.message.media else { return }
            try await media.enqueueFetch(file, of: item.messageID, from: item.message, in: transaction)
        }
    }
}
