import Foundation

/// What the checks of a proof compare its photos with: the job's site and window, the tenant's
/// distance, and what the crew sent besides the photos.
public struct EvidenceContext: Sendable {
    /// The job's site.
    public var site: GeoPoint?
    public var windowStart: Date?
    public var windowEnd: Date?
    /// How far from the site (metres) still counts as at the site (a tenant setting).
    public var atSiteMetres: Double
    /// The location the crew shared with the proof.
    public var sharedLocation: GeoPoint?
    /// When the proof was recorded (the time checked when it has no photos).
    public var submittedAt: Date

    /// A context; all but `atSiteMetres` and `submittedAt` may be unknown.
    public init(site: GeoPoint?, windowStart: Date?, windowEnd: Date?, atSiteMetres: Double, sharedLocation: GeoPoint?, submittedAt: Date) {
        self.site = site
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.atSiteMetres = atSiteMetres
        self.sharedLocation = sharedLocation
        self.submittedAt = submittedAt
    }
}

/// One photo of a proof as the checks see it.
public struct PhotoEvidence: Sendable {
    /// When the file reached Fieldline (the message's or the upload's time).
    public var arrivedAt: Date
    /// Nil while the file is still being fetched, or for a file that is not a photo.
    public var facts: PhotoFacts?
    /// Whether the file is stored (its hashes known).
    public var stored: Bool
    /// Order numbers of other jobs of the tenant holding the same or a near-identical photo.
    public var reusedIn: [String]

    /// A photo's evidence.
    public init(arrivedAt: Date, facts: PhotoFacts?, stored: Bool, reusedIn: [String]) {
        self.arrivedAt = arrivedAt
        self.facts = facts
        self.stored = stored
        self.reusedIn = reusedIn
    }
}

/// The `checks` summary of a proof. Each check is `true`, `false`, or nil when there is nothing to
/// check it with (no site, no window, no EXIF, files still arriving); `reasons` says why for
/// every check that is not `true`.
public struct EvidenceChecks: Sendable, Equatable {
    /// How long before its arrival a photo's EXIF time may be (without a job window).
    public static let maxPhotoAge: TimeInterval = 24 * 3600
    /// Clock drift tolerated between a camera and the server.
    public static let clockSkew: TimeInterval = 10 * 60
    /// A camera clock without a zone may be off by up to this from UTC.
    public static let unknownZoneSlack: TimeInterval = 14 * 3600

    /// The location checked was within the tenant's distance of the job's site.
    public var atSite: Bool?
    /// Metres between the job's site and the location checked.
    public var distanceMetres: Double?
    /// Which location was checked: `shared` (the crew's) or `exif` (a photo's GPS).
    public var locationSource: String?
    /// Every photo arrived (or the proof was recorded) within the job's window.
    public var inWindow: Bool?
    /// The photos' EXIF times and places agree with their arrival and the location checked.
    public var exifConsistent: Bool?
    /// No photo is also a photo of another job.
    public var unique: Bool?
    /// Order numbers of the other jobs that hold one of these photos.
    public var reusedIn: [String] = []
    /// Why a check is false or unknown, one sentence each.
    public var reasons: [String] = []

    /// Computes the checks.
    public static func compute(_ context: EvidenceContext, photos: [PhotoEvidence]) -> EvidenceChecks {
        var checks = EvidenceChecks()
        checks.location(context, photos)
        checks.window(context, photos)
        checks.exif(context, photos)
        checks.uniqueness(photos)
        return checks
    }

    private mutating func location(_ context: EvidenceContext, _ photos: [PhotoEvidence]) {
        let exifPoint = photos.lazy.compactMap { $0.facts?.exif.facts?.location }.first
        let point = context.sharedLocation ?? exifPoint
        locationSource = context.sharedLocation != nil ? "shared" : exifPoint != nil ? "exif" : nil
        guard let site = context.site else { return reasons.append("at_site: the job has no site location") }
        guard let point else { return reasons.append("at_site: no location was shared and no photo has GPS") }
        let metres = (site.distanceKilometres(to: point) * 1000).rounded()
        distanceMetres = metres
        atSite = metres <= context.atSiteMetres
        if atSite == false {
            reasons.append("at_site: the \(locationSource == "shared" ? "shared location" : "photo's GPS") is \(Int(metres)) m from the site (limit \(Int(context.atSiteMetres)) m)")
        }
    }

    private mutating func window(_ context: EvidenceContext, _ photos: [PhotoEvidence]) {
        guard context.windowStart != nil || context.windowEnd != nil else { return reasons.append("in_window: the job has no time window") }
        let times = photos.isEmpty ? [context.submittedAt] : photos.map(\.arrivedAt)
        let outside = times.filter { time in
            (context.windowStart.map { time < $0 } ?? false) || (context.windowEnd.map { time > $0 } ?? false)
        }
        inWindow = outside.isEmpty
        if !outside.isEmpty { reasons.append("in_window: \(outside.count) of \(times.count) arrived outside the job's window") }
    }

    private mutating func exif(_ context: EvidenceContext, _ photos: [PhotoEvidence]) {
        var compared = 0
        var problems: [String] = []
        for (index, photo) in photos.enumerated() {
            let name = "photo \(index + 1)"
            switch photo.facts?.exif {
            case .malformed(let reason)?:
                compared += 1
                problems.append("\(name) has a malformed EXIF block (\(reason))")
            case .present(let exif)?:
                let earliest = context.windowStart.map { min($0, photo.arrivedAt - Self.maxPhotoAge) } ?? photo.arrivedAt - Self.maxPhotoAge
                if let taken = exif.capturedAt {
                    compared += 1
                    if taken > photo.arrivedAt + Self.clockSkew { problems.append("\(name) says it was taken after it arrived") }
                    if taken < earliest - Self.clockSkew { problems.append("\(name) was taken \(Self.age(photo.arrivedAt.timeIntervalSince(taken))) before it arrived") }
                } else if let local = exif.localCaptureTime, let clock = ExifReader.instant(local, offset: "+00:00") {
                    compared += 1
                    if clock > photo.arrivedAt + Self.unknownZoneSlack { problems.append("\(name) says it was taken after it arrived") }
                    if clock < earliest - Self.unknownZoneSlack { problems.append("\(name) was taken \(Self.age(photo.arrivedAt.timeIntervalSince(clock))) before it arrived") }
                }
                if let gps = exif.location, let reference = context.sharedLocation ?? context.site {
                    compared += 1
                    let metres = reference.distanceKilometres(to: gps) * 1000
                    if metres > context.atSiteMetres {
                        problems.append("\(name)'s GPS is \(Int(metres.rounded())) m from the \(context.sharedLocation != nil ? "shared location" : "site")")
                    }
                }
            default:
                continue
            }
        }
        guard compared > 0 else { return reasons.append("exif_consistent: no photo has EXIF time or GPS to compare") }
        exifConsistent = problems.isEmpty
        reasons += problems.map { "exif_consistent: \($0)" }
    }

    private mutating func uniqueness(_ photos: [PhotoEvidence]) {
        guard !photos.isEmpty else { return reasons.append("unique: the proof has no files") }
        var seen = Set<String>()
        reusedIn = photos.flatMap(\.reusedIn).filter { seen.insert($0).inserted }
        if !reusedIn.isEmpty {
            unique = false
            reasons.append("unique: a photo is also in job \(reusedIn.joined(separator: ", "))")
        } else if photos.contains(where: { !$0.stored }) {
            reasons.append("unique: a file is still being fetched")
        } else {
            unique = true
        }
    }

    private static func age(_ seconds: TimeInterval) -> String {
        seconds >= 2 * 86400 ? "\(Int(seconds / 86400)) days" : "\(Int(seconds / 3600)) hours"
    }
}
