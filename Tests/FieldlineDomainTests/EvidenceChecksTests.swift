import FieldlineDomain
import FieldlineTestSupport
import Foundation
import Testing

@Suite("Proof checks: at site, in window, EXIF consistent, unique")
struct EvidenceChecksTests {
    static let site = try! GeoPoint(latitude: 40.4169, longitude: -3.7035)
    static let start = ISO8601DateFormatter().date(from: "2026-12-04T08:00:00Z")!
    static let end = ISO8601DateFormatter().date(from: "2026-12-04T18:00:00Z")!
    static let arrived = ISO8601DateFormatter().date(from: "2026-12-04T10:20:00Z")!

    static func context(shared: GeoPoint? = nil) -> EvidenceContext {
        EvidenceContext(site: site, windowStart: start, windowEnd: end, atSiteMetres: 200, sharedLocation: shared, submittedAt: arrived)
    }

    static func photo(_ exif: ExifBuilder?, arrivedAt: Date = arrived, reusedIn: [String] = []) throws -> PhotoEvidence {
        let facts = try PhotoFacts.inspect(TestHeaders.jpeg(width: 100, height: 100, exif: exif?.app1()))
        return PhotoEvidence(arrivedAt: arrivedAt, facts: facts, stored: true, reusedIn: reusedIn)
    }

    @Test("a photo taken at the site just before it arrived passes every check")
    func allGood() throws {
        let exif = ExifBuilder(dateTimeOriginal: "2026:12:04 11:15:00", offsetTimeOriginal: "+01:00", latitude: 40.4170, longitude: -3.7036)
        let checks = EvidenceChecks.compute(Self.context(), photos: [try Self.photo(exif)])
        #expect(checks.atSite == true)
        #expect(checks.locationSource == "exif")
        #expect(try #require(checks.distanceMetres) < 20)
        #expect(checks.inWindow == true)
        #expect(checks.exifConsistent == true)
        #expect(checks.unique == true)
        #expect(checks.reasons.isEmpty)
    }

    @Test("far away, outside the window, an old photo, reused: each check says so")
    func allBad() throws {
        let barcelona = try GeoPoint(latitude: 41.3874, longitude: 2.1686)
        let late = Self.end.addingTimeInterval(3600)
        let exif = ExifBuilder(dateTimeOriginal: "2026:11:01 09:00:00", offsetTimeOriginal: "+01:00", latitude: 40.4169, longitude: -3.7035)
        let checks = EvidenceChecks.compute(Self.context(shared: barcelona), photos: [try Self.photo(exif, arrivedAt: late, reusedIn: ["PO-1", "PO-1"])])
        #expect(checks.atSite == false)
        #expect(checks.locationSource == "shared")
        #expect(try #require(checks.distanceMetres) > 500_000)
        #expect(checks.inWindow == false)
        #expect(checks.exifConsistent == false)
        #expect(checks.unique == false)
        #expect(checks.reusedIn == ["PO-1"])
        #expect(checks.reasons.contains { $0.hasPrefix("exif_consistent:") && $0.contains("days before it arrived") })
        #expect(checks.reasons.contains { $0.hasPrefix("exif_consistent:") && $0.contains("from the shared location") })
    }

    @Test("a photo reused in jobs the reader may not see is not unique, counted without a name")
    func reusedOutOfSight() throws {
        var hidden = try Self.photo(nil)
        hidden.reusedInHidden = 2
        var alsoHidden = try Self.photo(nil, reusedIn: ["PO-7"])
        alsoHidden.reusedInHidden = 1
        let checks = EvidenceChecks.compute(Self.context(), photos: [hidden, alsoHidden])
        #expect(checks.unique == false)
        #expect(checks.reusedIn == ["PO-7"])
        #expect(checks.reusedInHidden == 2)
        #expect(checks.reasons.contains("unique: a photo is also in 2 other jobs you may not see"))
        #expect(checks.reasons.contains("unique: a photo is also in job PO-7"))
    }

    @Test("without EXIF, site or window the checks are unknown, not failed")
    func unknown() throws {
        let bare = EvidenceContext(site: nil, windowStart: nil, windowEnd: nil, atSiteMetres: 200, sharedLocation: nil, submittedAt: Self.arrived)
        let pending = PhotoEvidence(arrivedAt: Self.arrived, facts: nil, stored: false, reusedIn: [])
        let checks = EvidenceChecks.compute(bare, photos: [try Self.photo(nil), pending])
        #expect(checks.atSite == nil && checks.inWindow == nil && checks.exifConsistent == nil && checks.unique == nil)
        #expect(checks.reasons.count == 4)
    }

    @Test("a camera clock without zone is compared with a day's slack; malformed EXIF is inconsistent")
    func zonesAndMalformed() throws {
        let noZone = ExifBuilder(dateTimeOriginal: "2026:12:04 19:00:00")
        #expect(EvidenceChecks.compute(Self.context(), photos: [try Self.photo(noZone)]).exifConsistent == true)
        let facts = PhotoFacts(contentType: "image/jpeg", width: 10, height: 10, exif: .malformed("no byte order mark"))
        let broken = PhotoEvidence(arrivedAt: Self.arrived, facts: facts, stored: true, reusedIn: [])
        let checks = EvidenceChecks.compute(Self.context(), photos: [broken])
        #expect(checks.exifConsistent == false)
        #expect(checks.reasons.contains { $0.contains("malformed EXIF") })
    }
}

@Suite("Perceptual hash")
struct PerceptualHashTests {
    /// A grey "photo": a gradient with a bright disc, at any size.
    static func scene(width: Int, height: Int, shift: Double = 0) -> [UInt8] {
        (0..<height).flatMap { y in
            (0..<width).map { x in
                let u = Double(x) / Double(width) + shift, v = Double(y) / Double(height)
                let disc = (u - 0.35) * (u - 0.35) + (v - 0.5) * (v - 0.5) < 0.04 ? 120.0 : 0
                return UInt8(max(0, min(255, 80 + 100 * u + 60 * sin(v * 6) + disc)))
            }
        }
    }

    @Test("the same scene at another size hashes alike; another scene does not")
    func similarity() throws {
        let a = try #require(PerceptualHash.dHash(gray: Self.scene(width: 400, height: 300), width: 400, height: 300))
        let b = try #require(PerceptualHash.dHash(gray: Self.scene(width: 123, height: 91), width: 123, height: 91))
        #expect(PerceptualHash.distance(a, b) <= PerceptualHash.matchDistance)
        let flipped = Self.scene(width: 400, height: 300).reversed()
        let c = try #require(PerceptualHash.dHash(gray: Array(flipped), width: 400, height: 300))
        #expect(PerceptualHash.distance(a, c) > PerceptualHash.matchDistance)
        #expect(PerceptualHash.hex(0xAB) == "00000000000000ab")
        #expect(PerceptualHash.dHash(gray: [1, 2, 3], width: 3, height: 1) == nil)
    }

    @Test("flat pictures (black, white, an evenly lit wall, a smooth gradient) hash alike and are not compared; a scene is")
    func flatPictures() throws {
        let (width, height) = (64, 48)
        func facts(_ pixels: [UInt8]) throws -> (hash: UInt64, contrast: Double) {
            (try #require(PerceptualHash.dHash(gray: pixels, width: width, height: height)), PerceptualHash.contrast(gray: pixels))
        }
        let black = try facts(TestImages.flat(width: width, height: height, level: 3))
        let white = try facts(TestImages.flat(width: width, height: height, level: 250))
        #expect(PerceptualHash.distance(black.hash, white.hash) <= PerceptualHash.matchDistance)
        #expect(!PerceptualHash.isComparable(black.hash, contrast: black.contrast))
        #expect(!PerceptualHash.isComparable(white.hash, contrast: nil), "judged by its hash alone")
        // Two walls, lit differently, with the lens's darker corners: a balanced hash, the same
        // for both, which only their low contrast tells apart from a scene.
        let wall = try facts(TestImages.flat(width: width, height: height, level: 200, vignette: 0.2))
        let otherWall = try facts(TestImages.flat(width: width, height: height, level: 160, vignette: 0.15))
        #expect(PerceptualHash.distance(wall.hash, otherWall.hash) <= PerceptualHash.matchDistance)
        #expect(wall.hash.nonzeroBitCount > PerceptualHash.matchDistance && (~wall.hash).nonzeroBitCount > PerceptualHash.matchDistance)
        #expect(wall.contrast < PerceptualHash.minimumContrast && wall.contrast > 5)
        #expect(!PerceptualHash.isComparable(wall.hash, contrast: wall.contrast))
        #expect(PerceptualHash.isComparable(wall.hash, contrast: nil))
        // A smooth gradient has contrast but a hash of all 0s: within reach of every flat picture.
        let ramp = (0..<height).flatMap { _ in (0..<width).map { UInt8(40 + $0) } }
        let gradient = try facts(ramp)
        #expect(gradient.contrast > PerceptualHash.minimumContrast)
        #expect(!PerceptualHash.isComparable(gradient.hash, contrast: gradient.contrast))
        let scene = try facts(TestImages.scene(width: width, height: height, variant: 3))
        #expect(scene.contrast > 30)
        #expect(PerceptualHash.isComparable(scene.hash, contrast: scene.contrast))
        #expect(PerceptualHash.contrast(gray: []) == 0)
    }
}
