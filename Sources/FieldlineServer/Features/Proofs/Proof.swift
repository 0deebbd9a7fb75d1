import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// Evidence of service for a job: its files, the location the crew sent, the crew code as
/// recorded, and where its review stands.
struct Proof: ResponseEncodable, Sendable {
    let id: UUID
    let jobId: UUID
    let orderNumber: String
    /// The conversation the evidence came from.
    let conversationId: UUID?
    /// Who sent it (the conversation's member, or the member an app upload was for).
    let memberId: UUID?
    let crewCode: String?
    let latitude: Double?
    let longitude: Double?
    let note: String?
    let reviewState: ProofReviewState
    let reviewReason: String?
    /// Who reviewed it: `user:<id>` or `api_key:<id>`.
    let reviewedBy: String?
    let reviewedAt: Date?
    /// Who recorded it: `user:<id>` or `api_key:<id>`.
    let submittedBy: String
    let submittedAt: Date
    let updatedAt: Date
    /// The files, in the order they were given, with their evidence facts.
    let media: [ProofMedia]
    /// What the evidence shows, computed from the facts whenever the proof is read.
    let checks: ProofChecks
    /// Only on the answer to a rejection: the crew's flow run it sent back to its photo step.
    var flowRestart: ProofFlowRestart? = nil

    init(row: PostgresRow) throws {
        let (id, jobID, orderNumber, conversationID, memberID, crewCode, latitude, longitude, note,
             reviewState, reviewReason, reviewedBy, reviewedAt, submittedBy, submittedAt, updatedAt, media,
             siteLatitude, siteLongitude, windowStart, windowEnd, atSiteMetres) =
            try row.decode((UUID, UUID, String, UUID?, UUID?, String?, Double?, Double?, String?,
                            String, String?, String?, Date?, String, Date, Date, String,
                            Double?, Double?, Date?, Date?, Int).self)
        self.id = id
        self.jobId = jobID
        self.orderNumber = orderNumber
        self.conversationId = conversationID
        self.memberId = memberID
        self.crewCode = crewCode
        self.latitude = latitude
        self.longitude = longitude
        self.note = note
        self.reviewState = ProofReviewState(rawValue: reviewState) ?? .submitted
        self.reviewReason = reviewReason
        self.reviewedBy = reviewedBy
        self.reviewedAt = reviewedAt
        self.submittedBy = submittedBy
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt
        let files = try StoredPhotoFacts.decoder.decode([ProofMedia].self, from: Data(media.utf8))
        self.media = files
        let context = EvidenceContext(
            site: try GeoPoint.ifBoth(latitude: siteLatitude, longitude: siteLongitude), windowStart: windowStart, windowEnd: windowEnd,
            atSiteMetres: Double(atSiteMetres), sharedLocation: try GeoPoint.ifBoth(latitude: latitude, longitude: longitude),
            submittedAt: submittedAt)
        self.checks = ProofChecks(EvidenceChecks.compute(context, photos: files.map(\.evidence)), atSiteMetres: atSiteMetres)
    }
}

/// What recording a proof needs, validated field by field.
struct NewProof: Sendable {
    /// Inbound image, document or location messages of the job's conversation.
    var messageIDs: [UUID]
    /// Media items of the tenant (e.g. from another conversation).
    var mediaIDs: [UUID]
    var location: GeoPoint?
    /// Nil: the job's crew's code.
    var crewCode: String?
    var note: String?
    /// Photos uploaded with the request, already in the media store.
    var uploads: [MediaIntake.Received] = []
    /// The crew member an upload is for (the `app` adapter's `member_id`); nil: the evidence's
    /// conversation's member, if any.
    var memberID: UUID? = nil
}

/// Filters of `GET /v1/proofs`.
struct ProofFilter: Sendable {
    var orderNumber: String?
    var crewCode: String?
    var reviewState: ProofReviewState?
    var jobID: UUID?
    var updatedSince: Date?
}

/// A proof as a conversation in the member's timeline shows it.
struct ProofSummary: Encodable, Sendable {
    let id: UUID
    let jobId: UUID
    let orderNumber: String
    let crewCode: String?
    let reviewState: ProofReviewState
    let mediaCount: Int
    let submittedAt: Date
    /// The conversation it came from (not encoded: it is the enclosing conversation).
    let conversationId: UUID

    enum CodingKeys: String, CodingKey { case id, jobId, orderNumber, crewCode, reviewState, mediaCount, submittedAt }
}

extension PostgresQuery.StringInterpolation {
    /// The columns `Proof(row:)` decodes, for the proof `p` joined with its job `j`. A file's
    /// `reused_in` names only the other jobs `viewer` may see (`\(visibleJobs:)`); the others are
    /// only counted, so a reviewer knows a photo is reused without learning another case's order number.
    /// On Citus every subquery names the tenant as a value too (`$tenant(…)`), for a single-shard plan.
    mutating func appendInterpolation(proofColumns viewer: Viewer) {
        appendFragment("""
            p.id, p.job_id, j.order_number, p.conversation_id, p.member_id, p.crew_code, p.latitude, p.longitude, p.note,
            p.review_state, p.review_reason, p.reviewed_by, p.reviewed_at, p.submitted_by, p.submitted_at, p.updated_at,
            (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'id', md.id, 'message_id', md.message_id, 'status', md.status, 'sha256', md.sha256,
                        'content_type', md.content_type, 'size', md.size_bytes,
                        'arrived_at', extract(epoch FROM md.created_at), 'width', md.width, 'height', md.height, 'exif', md.exif,
                        'perceptual_hash', CASE WHEN md.phash IS NOT NULL THEN lpad(to_hex(md.phash), 16, '0') END,
                        'perceptual_hash_compared', CASE WHEN md.phash IS NOT NULL THEN \(ProofMedia.comparableHash("md")) END,
                        'reused_in', reused.visible, 'reused_in_hidden', reused.hidden,
                        'job_status_at_arrival', timing.status_at_arrival, 'since_status', timing.since_status
                    ) ORDER BY pm.position), '[]')
             FROM proof_media pm JOIN media md ON md.tenant_id = pm.tenant_id AND md.id = pm.media_id
             CROSS JOIN LATERAL (
                SELECT coalesce(jsonb_agg(DISTINCT r.order_number) FILTER (WHERE r.visible), '[]'::jsonb) AS visible,
                       count(DISTINCT r.id) FILTER (WHERE NOT r.visible) AS hidden
                FROM (
                    SELECT oj.id, oj.order_number, EXISTS (
                        SELECT 1 FROM jobs j WHERE j.tenant_id = oj.tenant_id$tenant(j) AND j.id = oj.id AND
            """, tenant: viewer.tenantID)
        appendLiteral(" ")
        appendInterpolation(visibleJobs: viewer)
        appendLiteral("\n")
        appendFragment("""
                    ) AS visible
                    FROM proof_media opm
                    JOIN media om ON om.tenant_id = opm.tenant_id AND om.id = opm.media_id
                    JOIN proofs op ON op.tenant_id = opm.tenant_id AND op.id = opm.proof_id
                    JOIN jobs oj ON oj.tenant_id = op.tenant_id AND oj.id = op.job_id
                    WHERE opm.tenant_id = p.tenant_id$tenant(opm) AND op.job_id <> p.job_id
                      AND (om.sha256 = md.sha256 OR (bit_count((om.phash # md.phash)::bit(64)) <= \(PerceptualHash.matchDistance)
                                                     AND \(ProofMedia.comparableHash("md")) AND \(ProofMedia.comparableHash("om"))))
                ) r
             ) reused
             CROSS JOIN LATERAL (\(ProofMedia.arrivalTiming)) timing
             WHERE pm.tenant_id = p.tenant_id$tenant(pm) AND pm.proof_id = p.id)::text,
            j.latitude, j.longitude, j.window_start, j.window_end,
            coalesce((SELECT ps.at_site_metres FROM proof_settings ps WHERE ps.tenant_id = p.tenant_id$tenant(ps)), \(ProofSettings.defaultAtSiteMetres))
            """, tenant: viewer.tenantID)
    }
}
