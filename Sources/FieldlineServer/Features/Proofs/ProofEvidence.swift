import FieldlineDomain
import Foundation
import PostgresNIO

/// What a proof is made of once its messages and media are resolved and checked.
struct ProofEvidence: Sendable {
    /// The files, without duplicates: those of the messages first, then the media ids given.
    var mediaIDs: [UUID]
    /// The location given, else the last location message among the messages.
    let location: GeoPoint?
    /// Where the evidence came from: the job's conversation, or the one conversation all the
    /// media came from.
    let conversationID: UUID?

    /// Most messages plus media items one proof takes.
    static let maxItems = 20

    /// Resolves the messages (inbound image, document or location messages of the job's
    /// conversation, which the viewer must see) and the media (of the tenant, within the
    /// viewer's conversation visibility, not given up on). Throws a 422 naming the item at fault.
    static func gather(
        _ proof: NewProof, job: Job, viewer: Viewer, database: Database, _ connection: PostgresConnection
    ) async throws -> ProofEvidence {
        guard proof.messageIDs.count + proof.mediaIDs.count + proof.uploads.count <= maxItems else {
            throw ValidationError(field: "message_ids", message: "a proof takes at most \(maxItems) messages and media items together")
        }
        let messageIDs = unique(proof.messageIDs)
        var mediaIDs: [UUID] = []
        var location: GeoPoint?
        var conversations = Set<UUID>()
        if !messageIDs.isEmpty {
            let messages = try await Self.messages(messageIDs, job: job, viewer: viewer, database: database, connection)
            for id in messageIDs {
                guard let message = messages.first(where: { $0.id == id }) else {
                    throw ValidationError(field: "message_ids", code: "unknown_reference",
                                          message: "message \(id.uuidString.lowercased()) is not a message of the job's conversation")
                }
                try message.requireEvidence()
                if let media = message.mediaID { mediaIDs.append(media) }
                if let point = message.location { location = point }
            }
        }
        for item in try await Self.media(unique(proof.mediaIDs), viewer: viewer, logger: database.logger, connection) {
            mediaIDs.append(item.id)
            conversations.insert(item.conversationID)
        }
        mediaIDs = unique(mediaIDs)
        let chosen = proof.location ?? location
        guard !mediaIDs.isEmpty || chosen != nil || !proof.uploads.isEmpty else {
            throw ValidationError(field: "message_ids", code: "missing_field",
                                  message: "a proof needs evidence: message_ids of photos, media_ids, or a location")
        }
        // Media alone link the proof to the one conversation they came from, if they share one.
        let conversationID = proof.messageIDs.isEmpty && conversations.count == 1 ? conversations.first : job.conversationId
        return ProofEvidence(mediaIDs: mediaIDs, location: chosen, conversationID: conversationID)
    }

    /// Ids without repeats, first occurrence first.
    static func unique(_ ids: [UUID]) -> [UUID] {
        var seen = Set<UUID>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// One message as a proof sees it.
    struct EvidenceMessage {
        let id: UUID
        let direction: String
        let kind: String
        let mediaID: UUID?
        let mediaStatus: String?
        let location: GeoPoint?

        /// Only what the member sent, and only photos, files and locations, count as evidence.
        func requireEvidence() throws {
            let name = "message \(id.uuidString.lowercased())"
            guard direction == MessageDirection.inbound.rawValue else {
                throw ValidationError(field: "message_ids", code: "not_evidence", message: "\(name) was not sent by the member (it is \(direction))")
            }
            switch kind {
            case MessageKind.image.rawValue, MessageKind.document.rawValue:
                guard mediaID != nil else {
                    throw ValidationError(field: "message_ids", code: "not_evidence", message: "\(name) carries no file")
                }
                guard mediaStatus != MediaStatus.failed.rawValue else {
                    throw ValidationError(field: "message_ids", code: "media_failed", message: "the file of \(name) could not be downloaded")
                }
            case MessageKind.location.rawValue:
                guard location != nil else {
                    throw ValidationError(field: "message_ids", code: "not_evidence", message: "\(name) carries no position")
                }
            default:
                throw ValidationError(field: "message_ids", code: "not_evidence",
                                      message: "\(name) is a \(kind) message; proofs take image, document or location messages")
            }
        }
    }

    private static func messages(
        _ ids: [UUID], job: Job, viewer: Viewer, database: Database, _ connection: PostgresConnection
    ) async throws -> [EvidenceMessage] {
        guard let conversationID = job.conversationId else {
            throw ValidationError(field: "message_ids", code: "no_conversation",
                                  message: "the job is linked to no conversation: link it with conversation_id, or give media_ids")
        }
        guard try await VisibleConversation.exists(conversationID, viewer: viewer, connection, logger: database.logger) else {
            throw ValidationError(field: "message_ids", code: "unknown_reference", message: "the job's conversation is not one you can see")
        }
        return try await connection.query("""
            SELECT m.id, m.direction, m.kind, md.id, md.status,
                   CASE WHEN jsonb_typeof(m.payload->'latitude') = 'number' THEN (m.payload->>'latitude')::float8 END,
                   CASE WHEN jsonb_typeof(m.payload->'longitude') = 'number' THEN (m.payload->>'longitude')::float8 END
            FROM messages m
            LEFT JOIN media md ON md.tenant_id = m.tenant_id AND md.message_id = m.id
            WHERE m.tenant_id = \(viewer.tenantID) AND m.conversation_id = \(conversationID) AND m.id = ANY(\(ids))
            """, logger: database.logger
        ).collect { row in
            let (id, direction, kind, mediaID, mediaStatus, latitude, longitude) =
                try row.decode((UUID, String, String, UUID?, String?, Double?, Double?).self)
            return EvidenceMessage(
                id: id, direction: direction, kind: kind, mediaID: mediaID, mediaStatus: mediaStatus,
                location: try GeoPoint.ifBoth(latitude: latitude, longitude: longitude))
        }
    }

    private static func media(_ ids: [UUID], viewer: Viewer, logger: Logger, _ connection: PostgresConnection) async throws -> [(id: UUID, conversationID: UUID)] {
        guard !ids.isEmpty else { return [] }
        let found = try await connection.query("""
            SELECT md.id, md.status, m.conversation_id FROM media md
            JOIN messages m ON m.tenant_id = md.tenant_id AND m.id = md.message_id
            JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
            WHERE md.tenant_id = \(viewer.tenantID) AND md.id = ANY(\(ids))
              AND \(visibleConversations: viewer)
            """, logger: logger
        ).collect { row in try row.decode((UUID, String, UUID).self) }
        return try ids.map { id in
            guard let item = found.first(where: { $0.0 == id }) else {
                throw ValidationError(field: "media_ids", code: "unknown_reference", message: "media \(id.uuidString.lowercased()) not found")
            }
            guard item.1 != MediaStatus.failed.rawValue else {
                throw ValidationError(field: "media_ids", code: "media_failed", message: "media \(id.uuidString.lowercased()) could not be downloaded")
            }
            return (id: id, conversationID: item.2)
        }
    }
}
