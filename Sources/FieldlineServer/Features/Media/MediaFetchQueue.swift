import Foundation

/// What the inbound pipeline needs of media: queueing the download of a stored message's file.
protocol MediaFetchQueue: Sendable {
    /// Queues the download of `media`, which `message` (stored as `messageID`) carries: a
    /// `pending` media row and its outbox work, inside `transaction`.
    func enqueueFetch(_ media: InboundMediaInput, of messageID: UUID, from message: InboundMessageInput, in transaction: TenantTransaction) async throws
}

extension PostgresMediaRepository: MediaFetchQueue {
    func enqueueFetch(_ media: InboundMediaInput, of messageID: UUID, from message: InboundMessageInput, in transaction: TenantTransaction) async throws {
        try await Self.enqueue(
            media, messageID: messageID, provider: message.provider.rawValue, adapterID: message.adapterID, tenantID: transaction.tenantID,
            on: transaction.connection, logger: transaction.logger)
    }
}
