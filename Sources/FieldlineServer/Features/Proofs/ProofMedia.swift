import FieldlineDomain
import Foundation

/// One file of a proof: what it is, where it stands (its bytes are at `/v1/media/{id}/content`)
/// and, for a photo, its evidence facts.
struct ProofMedia: Codable, Sendable {
    let id: UUID
    /// The message it came in; nil for an upload.
    let messageId: UUID?
    let status: MediaStatus
    /// Lowercase hex SHA-256, once fetched.
    let sha256: String?
    let contentType: String?
    /// Size in bytes, once fetched.
    let size: Int64?
    /// When the file reached Fieldline.
    let arrivedAt: Date
    /// Pixel size, for photos.
    let width: Int?
    let height: Int?
    /// EXIF capture time and GPS, or why there are none (`status`: absent, present, malformed); nil for files that are not photos.
    let exif: StoredPhotoFacts.ExifColumn?
    /// The 64-bit difference hash (16 hex digits), for JPEG and PNG photos.
    let perceptualHash: String?
    /// Order numbers of other jobs of the tenant with the same file or a near-identical photo.
    let reusedIn: [String]

    enum CodingKeys: String, CodingKey {
        case id, messageId = "message_id", status, sha256, contentType = "content_type", size, arrivedAt = "arrived_at"
        case width, height, exif, perceptualHash = "perceptual_hash", reusedIn = "reused_in"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(UUID.self, forKey: .id)
        messageId = try container.decodeIfPresent(UUID.self, forKey: .messageId)
        status = try container.decode(MediaStatus.self, forKey: .status)
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256)
        contentType = try container.decodeIfPresent(String.self, forKey: .contentType)
        size = try container.decodeIfPresent(Int64.self, forKey: .size)
        // The database gives seconds since 1970 (with microseconds).
        arrivedAt = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .arrivedAt))
        width = try container.decodeIfPresent(Int.self, forKey: .width)
        height = try container.decodeIfPresent(Int.self, forKey: .height)
        exif = try container.decodeIfPresent(StoredPhotoFacts.ExifColumn.self, forKey: .exif)
        perceptualHash = try container.decodeIfPresent(String.self, forKey: .perceptualHash)
        reusedIn = try container.decodeIfPresent([String].self, forKey: .reusedIn) ?? []
    }

    /// The other jobs holding this file or a near copy (SQL, per `md` row of a proof `p`).
    static let reusedIn = """
        (SELECT coalesce(jsonb_agg(DISTINCT oj.order_number), '[]'::jsonb)
         FROM proof_media opm
         JOIN media om ON om.tenant_id = opm.tenant_id AND om.id = opm.media_id
         JOIN proofs op ON op.tenant_id = opm.tenant_id AND op.id = opm.proof_id
         JOIN jobs oj ON oj.tenant_id = op.tenant_id AND oj.id = op.job_id
         WHERE opm.tenant_id = p.tenant_id AND op.job_id <> p.job_id
           AND (om.sha256 = md.sha256 OR bit_count((om.phash # md.phash)::bit(64)) <= \(PerceptualHash.matchDistance)))
        """

    /// The file as the checks see it.
    var evidence: PhotoEvidence {
        let facts = exif.map { PhotoFacts(contentType: contentType ?? "", width: width, height: height, exif: $0.reading) }
        return PhotoEvidence(arrivedAt: arrivedAt, facts: facts, stored: status != .pending, reusedIn: reusedIn)
    }
}

/// A proof's `checks`: `true`, `false`, or `null` when there is nothing to check with; `reasons`
/// explains every check that is not `true` (docs/jobs-and-proofs.md#evidence-facts-and-checks).
struct ProofChecks: Encodable, Sendable {
    let atSite: Bool?
    /// Metres from the job's site to the location checked.
    let distanceM: Double?
    /// `shared` (the crew's location) or `exif` (a photo's GPS).
    let locationSource: String?
    /// The tenant's at-site distance.
    let atSiteLimitM: Int
    let inWindow: Bool?
    let exifConsistent: Bool?
    let unique: Bool?
    let reusedIn: [String]
    let reasons: [String]

    init(_ checks: EvidenceChecks, atSiteMetres: Int) {
        atSite = checks.atSite
        distanceM = checks.distanceMetres
        locationSource = checks.locationSource
        atSiteLimitM = atSiteMetres
        inWindow = checks.inWindow
        exifConsistent = checks.exifConsistent
        unique = checks.unique
        reusedIn = checks.reusedIn
        reasons = checks.reasons
    }

    enum CodingKeys: String, CodingKey {
        case atSite = "at_site", distanceM = "distance_m", locationSource = "location_source", atSiteLimitM = "at_site_limit_m"
        case inWindow = "in_window", exifConsistent = "exif_consistent", unique, reusedIn = "reused_in", reasons
    }

    /// Every key, `null` included: a check that cannot be made is shown as such.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(atSite, forKey: .atSite)
        try container.encode(distanceM, forKey: .distanceM)
        try container.encode(locationSource, forKey: .locationSource)
        try container.encode(atSiteLimitM, forKey: .atSiteLimitM)
        try container.encode(inWindow, forKey: .inWindow)
        try container.encode(exifConsistent, forKey: .exifConsistent)
        try container.encode(unique, forKey: .unique)
        try container.encode(reusedIn, forKey: .reusedIn)
        try container.encode(reasons, forKey: .reasons)
    }
}
