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
    /// The 64-bit difference hash (16 hex digits), for JPEG, PNG and HEIC/HEIF photos.
    let perceptualHash: String?
    /// Whether that hash is compared with other jobs' photos: false for a flat picture
    /// (`PerceptualHash.isComparable`), which is compared by SHA-256 only.
    let perceptualHashCompared: Bool?
    /// Order numbers of other jobs of the tenant with the same file or a near-identical photo,
    /// among the jobs the reader may see.
    let reusedIn: [String]
    /// How many other jobs the reader may not see hold the same file or a near-identical photo.
    let reusedInHidden: Int
    /// The job's status when the file arrived (nil when it arrived before the job was created).
    let jobStatusAtArrival: String?
    /// For each status the job has entered, the seconds from its first entry into it to the
    /// file's arrival (negative: the file arrived before the job reached that status).
    let sinceStatus: [String: Int]

    enum CodingKeys: String, CodingKey {
        case id, messageId = "message_id", status, sha256, contentType = "content_type", size, arrivedAt = "arrived_at"
        case width, height, exif, perceptualHash = "perceptual_hash", perceptualHashCompared = "perceptual_hash_compared", reusedIn = "reused_in", reusedInHidden = "reused_in_hidden"
        case jobStatusAtArrival = "job_status_at_arrival", sinceStatus = "since_status"
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
        perceptualHashCompared = try container.decodeIfPresent(Bool.self, forKey: .perceptualHashCompared)
        reusedIn = try container.decodeIfPresent([String].self, forKey: .reusedIn) ?? []
        reusedInHidden = try container.decodeIfPresent(Int.self, forKey: .reusedInHidden) ?? 0
        jobStatusAtArrival = try container.decodeIfPresent(String.self, forKey: .jobStatusAtArrival)
        sinceStatus = try container.decodeIfPresent([String: Int].self, forKey: .sinceStatus) ?? [:]
    }

    /// Unknown facts are left out, as before the timing facts were added.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(messageId, forKey: .messageId)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(sha256, forKey: .sha256)
        try container.encodeIfPresent(contentType, forKey: .contentType)
        try container.encodeIfPresent(size, forKey: .size)
        try container.encode(arrivedAt, forKey: .arrivedAt)
        try container.encodeIfPresent(width, forKey: .width)
        try container.encodeIfPresent(height, forKey: .height)
        try container.encodeIfPresent(exif, forKey: .exif)
        try container.encodeIfPresent(perceptualHash, forKey: .perceptualHash)
        try container.encodeIfPresent(perceptualHashCompared, forKey: .perceptualHashCompared)
        try container.encode(reusedIn, forKey: .reusedIn)
        try container.encode(reusedInHidden, forKey: .reusedInHidden)
        try container.encodeIfPresent(jobStatusAtArrival, forKey: .jobStatusAtArrival)
        try container.encode(sinceStatus, forKey: .sinceStatus)
    }

    /// SQL: whether the media row `alias` has a perceptual hash worth comparing, as
    /// `PerceptualHash.isComparable` says (enough one- and zero-bits, and enough contrast when
    /// it was measured).
    static func comparableHash(_ alias: String) -> String {
        "(\(alias).phash IS NOT NULL AND bit_count(\(alias).phash::bit(64)) BETWEEN \(PerceptualHash.matchDistance + 1) AND \(63 - PerceptualHash.matchDistance)"
            + " AND coalesce(\(alias).phash_contrast >= \(PerceptualHash.minimumContrast), true))"
    }

    /// The job's status when each file `md` of the proof `p` arrived, and the seconds since it
    /// entered each status (SQL for a `LATERAL` join; `job_history` holds the job's changes). One
    /// pass over the job's history, grouped by status, with a `FROM`: Citus refuses a lateral
    /// subquery without one among correlated subqueries. With a `$tenant(h)` placeholder (see
    /// `appendFragment`).
    static let arrivalTiming = """
        SELECT (array_agg(g.to_status ORDER BY g.last_id DESC) FILTER (WHERE g.last_id IS NOT NULL))[1] AS status_at_arrival,
               jsonb_object_agg(g.to_status, round(extract(epoch FROM md.created_at - g.first_at))::bigint) AS since_status
        FROM (SELECT h.to_status, min(h.at) AS first_at, max(h.id) FILTER (WHERE h.at <= md.created_at) AS last_id
              FROM job_history h
              WHERE h.tenant_id = p.tenant_id$tenant(h) AND h.job_id = p.job_id AND h.offer_id IS NULL
              GROUP BY h.to_status) g
        """

    /// The file as the checks see it.
    var evidence: PhotoEvidence {
        let facts = exif.map { PhotoFacts(contentType: contentType ?? "", width: width, height: height, exif: $0.reading) }
        return PhotoEvidence(arrivedAt: arrivedAt, facts: facts, stored: status != .pending, reusedIn: reusedIn, reusedInHidden: reusedInHidden)
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
    /// How many other jobs the reader may not see hold one of the photos.
    let reusedInHidden: Int
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
        reusedInHidden = checks.reusedInHidden
        reasons = checks.reasons
    }

    enum CodingKeys: String, CodingKey {
        case atSite = "at_site", distanceM = "distance_m", locationSource = "location_source", atSiteLimitM = "at_site_limit_m"
        case inWindow = "in_window", exifConsistent = "exif_consistent", unique, reusedIn = "reused_in"
        case reusedInHidden = "reused_in_hidden", reasons
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
        try container.encode(reusedInHidden, forKey: .reusedInHidden)
        try container.encode(reasons, forKey: .reasons)
    }
}
