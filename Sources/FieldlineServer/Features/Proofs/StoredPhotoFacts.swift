import FieldlineDomain
import Foundation

/// A photo's evidence facts as the `media` columns hold them (`sql/050_proof_evidence.sql`),
/// both ways: written when the file is stored, read back for a proof's facts and checks.
struct StoredPhotoFacts: Sendable {
    var width: Int?
    var height: Int?
    var exifStatus: String?
    /// The `exif` column's JSON text.
    var exifJSON: String?
    var phash: Int64?
    /// `EvidencePhoto.contrast` (`sql/105_media_phash_contrast.sql`).
    var phashContrast: Double?

    /// The EXIF part of the column, as the API shows it under a file's `facts.exif`.
    struct ExifColumn: Codable, Sendable {
        var status: String
        var localTime: String?
        var capturedAt: Date?
        var latitude: Double?
        var longitude: Double?
        var make: String?
        var model: String?
        var problems: [String]?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case status, localTime = "local_time", capturedAt = "captured_at", latitude, longitude, make, model, problems, error
        }

        init(_ reading: ExifReading) {
            status = reading.status
            switch reading {
            case .absent: break
            case .malformed(let reason): error = reason
            case .present(let facts):
                localTime = facts.localCaptureTime
                capturedAt = facts.capturedAt
                latitude = facts.location?.latitude
                longitude = facts.location?.longitude
                make = facts.make
                model = facts.model
                problems = facts.problems.isEmpty ? nil : facts.problems
            }
        }

        /// Back to the domain's reading.
        var reading: ExifReading {
            switch status {
            case "present":
                var facts = ExifFacts()
                facts.localCaptureTime = localTime
                facts.capturedAt = capturedAt
                facts.location = try? GeoPoint.ifBoth(latitude: latitude, longitude: longitude)
                facts.make = make
                facts.model = model
                facts.problems = problems ?? []
                return .present(facts)
            case "malformed": return .malformed(error ?? "malformed")
            default: return .absent
            }
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// The columns for a stored file (all nil for a file that is not a photo).
    init(_ photo: EvidencePhoto?) {
        guard let photo else { return }
        width = photo.facts.width
        height = photo.facts.height
        exifStatus = photo.facts.exif.status
        exifJSON = (try? Self.encoder.encode(ExifColumn(photo.facts.exif))).map { String(decoding: $0, as: UTF8.self) }
        phash = photo.phash.map { Int64(bitPattern: $0) }
        phashContrast = photo.phash == nil ? nil : photo.contrast
    }
}
