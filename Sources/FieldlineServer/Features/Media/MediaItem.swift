import Foundation
import Hummingbird
import PostgresNIO

/// Where an inbound media file stands: `pending` (queued or being retried) → `fetched` | `failed`.
enum MediaStatus: String, Codable, Sendable {
    /// Not fetched yet; `error` shows the last transient failure while retries go on.
    case pending
    /// Stored: `sha256`, `size` and `content_type` are set and the content is downloadable.
    case fetched
    /// Given up (refused, or too many failed attempts); `error` says why.
    case failed
}

/// An inbound media file as the API shows it (`GET /v1/media/{id}`).
struct MediaItem: ResponseEncodable, Sendable {
    let id: UUID
    /// The message it came in, and that message's conversation; nil for an upload.
    let messageId: UUID?
    let conversationId: UUID?
    /// The provider it came through, or `upload`.
    let provider: String
    let status: MediaStatus
    /// The type recognised from the bytes (what the content is served as).
    let contentType: String?
    /// What the provider announced.
    let declaredType: String?
    /// Lowercase hex SHA-256 of the stored bytes.
    let sha256: String?
    /// Size in bytes.
    let size: Int64?
    let error: String?
    let attempts: Int
    let createdAt: Date
    let fetchedAt: Date?
    /// A photo's evidence facts (docs/jobs-and-proofs.md#evidence-facts-and-checks).
    let width: Int?
    let height: Int?
    let exif: StoredPhotoFacts.ExifColumn?
    let perceptualHash: String?
    /// Whether the hash is compared with other jobs' photos (false: too flat a picture).
    let perceptualHashCompared: Bool?

    static let columns = """
        md.id, md.message_id, m.conversation_id, md.provider, md.status, md.content_type, md.declared_type,
        md.sha256, md.size_bytes, md.error, md.attempts, md.created_at, md.fetched_at,
        md.width, md.height, md.exif::text, CASE WHEN md.phash IS NOT NULL THEN lpad(to_hex(md.phash), 16, '0') END,
        CASE WHEN md.phash IS NOT NULL THEN \(ProofMedia.comparableHash("md")) END
        """

    init(row: PostgresRow) throws {
        let (id, messageID, conversationID, provider, status, contentType, declaredType, sha256, size, error, attempts, createdAt, fetchedAt,
             width, height, exif, perceptualHash, perceptualHashCompared) =
            try row.decode((UUID, UUID?, UUID?, String, String, String?, String?, String?, Int64?, String?, Int, Date, Date?,
                            Int?, Int?, String?, String?, Bool?).self)
        self.width = width
        self.height = height
        self.exif = try exif.map { try StoredPhotoFacts.decoder.decode(StoredPhotoFacts.ExifColumn.self, from: Data($0.utf8)) }
        self.perceptualHash = perceptualHash
        self.perceptualHashCompared = perceptualHashCompared
        self.id = id
        self.messageId = messageID
        self.conversationId = conversationID
        self.provider = provider
        self.status = MediaStatus(rawValue: status) ?? .pending
        self.contentType = contentType
        self.declaredType = declaredType
        self.sha256 = sha256
        self.size = size
        self.error = error
        self.attempts = attempts
        self.createdAt = createdAt
        self.fetchedAt = fetchedAt
    }
}

/// The small `media` field of a message that carries a file: enough to show a placeholder and
/// to fetch the metadata or the content.
struct MessageMedia: Codable, Sendable, Equatable {
    let id: UUID
    let status: MediaStatus

    /// Reads the `message_media(...)` JSON column; nil when the message has no media.
    static func parse(_ json: String?) -> MessageMedia? {
        guard let json else { return nil }
        return try? JSONDecoder().decode(MessageMedia.self, from: Data(json.utf8))
    }
}

/// Where an inbound message's media can be fetched, as the ingest transaction records it.
struct InboundMediaInput: Sendable, Equatable {
    /// The provider's media id (WhatsApp media id, Telegram `file_id`).
    let providerMediaID: String?
    /// A URL to download from (Twilio, Messenger).
    let url: String?
    /// The content type the provider announced.
    let declaredType: String?
    /// The provider's SHA-256 of the file, as the provider encodes it (WhatsApp: Base64).
    let declaredSHA256: String?
}
