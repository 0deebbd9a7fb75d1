import CImageKit
import FieldlineDomain
import Foundation
import NIOCore

extension Provisioning {
    /// The demo's finished case: `PO-1000`, a jump-start done by Grúas Rápidas' crew, with a
    /// proof of service whose photo is made now (a JPEG with EXIF capture time and GPS at the
    /// site), taken in through the media intake like any upload, so its evidence facts and checks
    /// are real and pass. Its job history reads assigned → in progress → proof → completed.
    func seedDemoProof(intake: MediaIntake, subcontractor: UUID, crew: UUID, agent: UUID, tenantID: UUID) async throws {
        let site = try GeoPoint(latitude: 40.4300, longitude: -3.6840)
        let now = Date()
        let viewer = Viewer(tenantID: tenantID, restrictedToUser: nil, userID: agent)
        let actor = "user:\(agent.uuidString.lowercased())"
        let jobs = PostgresJobsRepository(database: database)
        let job = try await jobs.create(
            JobDraft(orderNumber: "PO-1000", title: "Jump-start a car with a flat battery",
                     description: "Grey Seat Ibiza, car park level -1.", location: site, address: "Calle de Velázquez 50, Madrid",
                     requiredTags: ["towing"], windowStart: now.addingTimeInterval(-2 * 3600), windowEnd: now.addingTimeInterval(2 * 3600),
                     status: .assigned, organizationID: subcontractor, crewID: crew, conversationID: nil),
            createdBy: actor, viewer: viewer)
        _ = try await jobs.update(job.id, changes: JobChanges(status: .inProgress), actor: actor, viewer: viewer)

        let photo = try DemoPhoto.jpeg(at: site, takenAt: now.addingTimeInterval(-300))
        let session = try await intake.begin(declaredType: "image/jpeg", photosOnly: true)
        let received: MediaIntake.Received
        do {
            try await session.write(ByteBuffer(bytes: photo))
            received = try await session.finish()
        } catch {
            await session.abort()
            throw error
        }
        let shared = try GeoPoint(latitude: site.latitude + 0.0002, longitude: site.longitude + 0.0001)
        _ = try await PostgresProofsRepository(database: database).record(
            NewProof(messageIDs: [], mediaIDs: [], location: shared, crewCode: nil, note: "Battery jump-started, the car runs.",
                     uploads: [received]),
            forJob: job.id, submittedBy: actor, viewer: viewer)
        _ = try await jobs.update(job.id, changes: JobChanges(status: .completed), actor: actor, viewer: viewer)
    }
}

/// The demo proof's photo: a small street scene (sky, road, an orange car) encoded as a JPEG
/// with libjpeg, and an EXIF block saying when and where it was taken.
enum DemoPhoto {
    static let width = 480, height = 320

    /// The photo, taken at `point` at `takenAt` (UTC).
    static func jpeg(at point: GeoPoint, takenAt: Date) throws -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy:MM:dd HH:mm:ss"
        var exif = ExifWriter(dateTimeOriginal: formatter.string(from: takenAt), offsetTimeOriginal: "+00:00",
                              latitude: point.latitude, longitude: point.longitude)
        exif.make = "Fieldline demo camera"
        let app1 = exif.app1()
        let pixels = scene()
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let result = pixels.withUnsafeBufferPointer { rgb in
            app1.withUnsafeBufferPointer { fl_encode_jpeg(rgb.baseAddress, Int32(width), Int32(height), 3, 85, $0.baseAddress, app1.count, &out, &length) }
        }
        defer { free(out) }
        guard result == 0, let out else { throw DemoPhotoError() }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }

    /// RGB pixels: a sky fading to the horizon, a row of buildings with lit windows, a grey road
    /// with a dashed line, an orange car, and the evening light falling off to the right. (Detail
    /// matters: a flat picture's perceptual hash says little and resembles any other flat one's.)
    static func scene() -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let horizon = height * 11 / 20
        for y in 0..<height {
            for x in 0..<width {
                var (r, g, b): (Int, Int, Int)
                let block = x / 40
                let roof = horizon - 60 - (block * 37 % 5) * 18
                if y < roof {
                    (r, g, b) = (110 + y * 80 / horizon, 160 + y * 60 / horizon, 230)
                } else if y < horizon {
                    let shade = 120 + (block * 53 % 7) * 15
                    (r, g, b) = (shade, shade - 20, shade - 35)
                    if (x % 40) % 12 >= 4, (x % 40) % 12 < 9, (y - roof) % 16 >= 5, (y - roof) % 16 < 11, x % 40 > 3, x % 40 < 37 {
                        (r, g, b) = (250, 220, 140)
                    }
                } else {
                    (r, g, b) = (90, 92, 96)
                    if y > height * 3 / 4 - 3, y < height * 3 / 4 + 3, (x / 30) % 2 == 0 { (r, g, b) = (235, 235, 220) }
                }
                let car = x > width / 3 && x < width * 2 / 3 && y > horizon - 10 && y < horizon + 50
                let cabin = x > width * 2 / 5 && x < width * 3 / 5 && y > horizon - 45 && y <= horizon - 10
                if car || cabin { (r, g, b) = (236, 120, 32) }
                let wheel = [width * 2 / 5, width * 3 / 5].contains { cx in (x - cx) * (x - cx) + (y - horizon - 50) * (y - horizon - 50) < 250 }
                if wheel { (r, g, b) = (25, 25, 25) }
                let light = 1.2 - 0.5 * Double(x) / Double(width)
                let index = (y * width + x) * 3
                pixels[index] = UInt8(clamping: Int(Double(r) * light))
                pixels[index + 1] = UInt8(clamping: Int(Double(g) * light))
                pixels[index + 2] = UInt8(clamping: Int(Double(b) * light))
            }
        }
        return pixels
    }
}

/// libjpeg could not encode the demo photo.
struct DemoPhotoError: Error, CustomStringConvertible {
    var description: String { "the demo photo could not be encoded" }
}
