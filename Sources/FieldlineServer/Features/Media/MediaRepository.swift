import FieldlineDomain
import Foundation

/// What the fetcher needs to download one media file.
struct MediaSource: Sendable {
    let id: UUID
    let tenantID: UUID
    let provider: String
    let adapterID: UUID?
    let providerMediaID: String?
    let url: String?
    let declaredType: String?
    let declaredSHA256: String?
    let status: MediaStatus
}

/// Bytes that are now in the media store.
struct StoredMedia: Sendable, Equatable {
    /// Lowercase hex SHA-256: the storage key.
    let sha256: String
    /// Size in bytes.
    let size: Int64
}

/// How a caller may reach a media item: through its message's conversation (`conversations:read`)
/// and/or through a proof it belongs to (`proofs:read`, within job visibility).
struct MediaAccess: Sendable {
    var throughConversations: Bool
    var throughProofs: Bool
}

/// Storage of inbound media rows: read by the API within conversation or proof visibility, and worked
/// through by the outbox's media fetcher.
protocol MediaRepository: Sendable {
    /// One media item the viewer may reach by `access`, or nil.
    func get(_ id: UUID, viewer: Viewer, access: MediaAccess) async throws -> MediaItem?
    /// The fetch details of a media item (any status), or nil when it no longer exists.
    func source(_ id: UUID, tenantID: UUID) async throws -> MediaSource?
    /// Records the stored bytes (and a photo's evidence facts) and completes the outbox row, in one transaction.
    func markFetched(_ id: UUID, tenantID: UUID, stored: StoredMedia, contentType: String, facts: EvidencePhoto?, outboxID: Int64) async throws
    /// Counts an attempt that will be retried, keeping its error visible.
    func noteRetry(_ id: UUID, tenantID: UUID, error: String) async throws
    /// Completes an outbox row whose media needs nothing more.
    func completeOutbox(_ outboxID: Int64, tenantID: UUID) async throws
    /// Gives up on a media item: status `failed` with the reason.
    func markFailed(_ id: UUID, tenantID: UUID, error: String) async throws
}
