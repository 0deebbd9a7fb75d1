import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A proof as an export lists it: the proof's own fields (as `GET /v1/proofs/{id}` has them)
/// and each file with its link, but not the evidence `checks` nor each photo's EXIF facts,
/// which compare every file with the tenant's others and are read per proof from the API.
struct ProofExportRow: Encodable, Sendable {
    /// One file of the proof and where to fetch it.
    struct File: Codable, Sendable {
        let id: UUID
        let messageId: UUID?
        let status: String
        let sha256: String?
        let contentType: String?
        let size: Int64?
        /// `…/v1/media/{id}/content`, or a signed link (`links=signed`); set once read.
        var url: String?
    }

    let id: UUID
    let jobId: UUID
    let orderNumber: String
    let conversationId: UUID?
    let memberId: UUID?
    let crewCode: String?
    let latitude: Double?
    let longitude: Double?
    let note: String?
    let reviewState: String
    let reviewReason: String?
    let reviewedBy: String?
    let reviewedAt: Date?
    let submittedBy: String
    let submittedAt: Date
    let updatedAt: Date
    var media: [File]

    /// Needs `JOIN jobs j` on the proof's job.
    /// With `$tenant(…)` placeholders: a statement interpolates them as `\(columns: …, tenant: tenantID)`.
    static let columns = TenantColumns("""
        p.id, p.job_id, j.order_number, p.conversation_id, p.member_id, p.crew_code, p.latitude, p.longitude, p.note,
        p.review_state, p.review_reason, p.reviewed_by, p.reviewed_at, p.submitted_by, p.submitted_at, p.updated_at,
        (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'id', md.id, 'message_id', md.message_id, 'status', md.status, 'sha256', md.sha256,
                    'content_type', md.content_type, 'size', md.size_bytes) ORDER BY pm.position), '[]')
         FROM proof_media pm JOIN media md ON md.tenant_id = pm.tenant_id AND md.id = pm.media_id
         WHERE pm.tenant_id = p.tenant_id$tenant(pm) AND pm.proof_id = p.id)::text
        """)

    /// Reads a row of `columns`; `link` makes each file's URL from its id.
    init(row: PostgresRow, link: (UUID) -> String) throws {
        let (id, jobID, orderNumber, conversationID, memberID, crewCode, latitude, longitude, note,
             reviewState, reviewReason, reviewedBy, reviewedAt, submittedBy, submittedAt, updatedAt, media) =
            try row.decode((UUID, UUID, String, UUID?, UUID?, String?, Double?, Double?, String?,
                            String, String?, String?, Date?, String, Date, Date, String).self)
        self.id = id
        self.jobId = jobID
        self.orderNumber = orderNumber
        self.conversationId = conversationID
        self.memberId = memberID
        self.crewCode = crewCode
        self.latitude = latitude
        self.longitude = longitude
        self.note = note
        self.reviewState = reviewState
        self.reviewReason = reviewReason
        self.reviewedBy = reviewedBy
        self.reviewedAt = reviewedAt
        self.submittedBy = submittedBy
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt
        self.media = try Self.decoder.decode([File].self, from: Data(media.utf8)).map { file in
            var linked = file
            linked.url = link(file.id)
            return linked
        }
    }

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}
