import Foundation

/// `media.fetch`: downloads an inbound message's media file from its provider into the media
/// store (`MediaFetcher`). Each retry notes the attempt and its error on the media row; when it
/// dies, the media is marked `failed` with the reason.
struct FetchMedia: OutboxJob {
    static let topic = "media.fetch"

    /// The media row to fetch, and the message it came with.
    struct Payload: Codable, Sendable, Equatable {
        let mediaID: UUID
        let messageID: UUID

        /// The stored keys (rows already in the database use them).
        enum CodingKeys: String, CodingKey {
            case mediaID = "media_id"
            case messageID = "message_id"
        }
    }

    let fetcher: MediaFetcher

    /// Downloads the file; the row completes with the media row's result.
    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await fetcher.fetch(payload, item: item)
    }

    /// The media row shows the attempt and its error while the fetch waits for the next one.
    func retrying(_ payload: Payload, _ item: OutboxItem, reason: String) async throws {
        try await fetcher.noteRetry(payload, item: item, reason: reason)
    }

    /// The media row fails with the reason.
    func died(_ payload: Payload, _ item: OutboxItem, reason: String) async throws {
        try await fetcher.markFailed(payload, item: item, reason: reason)
    }
}
