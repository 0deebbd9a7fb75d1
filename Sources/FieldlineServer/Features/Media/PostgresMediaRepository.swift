import FieldlineDomain
import Foundation
import PostgresNIO

/// `MediaRepository` on PostgreSQL.
struct PostgresMediaRepository: MediaRepository {
    let database: Database

    var logger: Logger { database.logger }

    /// Queues the download of an inbound message's media: a `pending` media row and its outbox
    /// row, inside the transaction that stores the message (so neither exists without the other).
    static func enqueue(
        _ media: InboundMediaInput, messageID: UUID, provider: String, adapterID: UUID?, tenantID: UUID,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let mediaID = UUIDv7.make()
        try await connection.query("""
            INSERT INTO media (tenant_id, id, message_id, adapter_id, provider, provider_media_id, source_url, declared_type, declared_sha256)
            VALUES (\(tenantID), \(mediaID), \(messageID), \(adapterID), \(provider), \(media.providerMediaID), \(media.url),
                    \(media.declaredType), \(media.declaredSHA256))
            """, logger: logger)
        try await Outbox.enqueue(FetchMedia.self, .init(mediaID: mediaID, messageID: messageID), tenantID: tenantID, on: connection, logger: logger)
    }

    func get(_ id: UUID, viewer: Viewer, access: MediaAccess) async throws -> MediaItem? {
        guard access.throughConversations || access.throughProofs else { return nil }
        return try await database.withTenant(viewer.tenantID) { connection in
            try await connection.query("""
                SELECT \(unescaped: MediaItem.columns) FROM media md
                -- Uploads came in no message: they are reached through their proofs only.
                LEFT JOIN messages m ON m.tenant_id = md.tenant_id AND m.id = md.message_id
                LEFT JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
                WHERE md.tenant_id = \(viewer.tenantID) AND md.id = \(id) AND \(visibleMedia: viewer, access: access)
                """, logger: logger
            ).first(MediaItem.init(row:))
        }
    }

    func source(_ id: UUID, tenantID: UUID) async throws -> MediaSource? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT provider, adapter_id, provider_media_id, source_url, declared_type, declared_sha256, status
                FROM media WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger
            ).first { row in
                let (provider, adapterID, mediaID, url, declaredType, declaredSHA256, status) =
                    try row.decode((String, UUID?, String?, String?, String?, String?, String).self)
                return MediaSource(
                    id: id, tenantID: tenantID, provider: provider, adapterID: adapterID, providerMediaID: mediaID, url: url,
                    declaredType: declaredType, declaredSHA256: declaredSHA256, status: MediaStatus(rawValue: status) ?? .pending)
            }
        }
    }

    func markFetched(_ id: UUID, tenantID: UUID, stored: StoredMedia, contentType: String, facts: EvidencePhoto?, outboxID: Int64) async throws {
        let columns = StoredPhotoFacts(facts)
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                UPDATE media SET status = 'fetched', sha256 = \(stored.sha256), size_bytes = \(stored.size),
                    content_type = \(contentType), error = NULL, attempts = attempts + 1, fetched_at = now(),
                    width = \(columns.width), height = \(columns.height), exif_status = \(columns.exifStatus),
                    exif = \(columns.exifJSON)::jsonb, phash = \(columns.phash), phash_contrast = \(columns.phashContrast)
                WHERE tenant_id = \(tenantID) AND id = \(id) AND status = 'pending'
                """, logger: logger)
            try await Self.touchProofs(of: id, tenantID: tenantID, connection, logger: logger)
            try await OutboxStore.complete(outboxID, on: connection, logger: logger)
        }
    }

    func noteRetry(_ id: UUID, tenantID: UUID, error: String) async throws {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                UPDATE media SET error = \(String(error.prefix(1000))), attempts = attempts + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) AND status = 'pending'
                """, logger: logger)
        }
    }

    func completeOutbox(_ outboxID: Int64, tenantID: UUID) async throws {
        try await database.withTenant(tenantID) { connection in
            try await OutboxStore.complete(outboxID, on: connection, logger: logger)
        }
    }

    func markFailed(_ id: UUID, tenantID: UUID, error: String) async throws {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                UPDATE media SET status = 'failed', error = \(String(error.prefix(1000))), attempts = attempts + 1
                WHERE tenant_id = \(tenantID) AND id = \(id) AND status = 'pending'
                """, logger: logger)
            try await Self.touchProofs(of: id, tenantID: tenantID, connection, logger: logger)
        }
    }

    /// A proof shows its media's status, hash, size and type: when they settle, the proofs holding
    /// the media count as changed, so an ERP syncing with `updated_since` picks them up.
    private static func touchProofs(of mediaID: UUID, tenantID: UUID, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE proofs p SET updated_at = now()
            FROM proof_media pm
            WHERE pm.tenant_id = \(tenantID) AND pm.media_id = \(mediaID) AND p.tenant_id = pm.tenant_id AND p.id = pm.proof_id
            """, logger: logger)
    }
}
