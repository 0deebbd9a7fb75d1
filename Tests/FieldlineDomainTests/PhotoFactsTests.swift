import FieldlineDomain
import FieldlineTestSupport
import Foundation
import Testing

@Suite("Photo facts: type, pixel size and EXIF from the headers")
struct PhotoFactsTests {
    static let madrid = (latitude: 40.4169, longitude: -3.7035)

    @Test("a JPEG with EXIF gives its size, capture time with offset, and GPS")
    func jpegWithExif() throws {
        for bigEndian in [false, true] {
            let exif = ExifBuilder(dateTimeOriginal: "2026:12:04 11:15:30", offsetTimeOriginal: "+01:00",
                                   latitude: Self.madrid.latitude, longitude: Self.madrid.longitude, bigEndian: bigEndian)
            let facts = try PhotoFacts.inspect(TestHeaders.jpeg(width: 4032, height: 3024, exif: exif.app1()))
            #expect(facts.contentType == "image/jpeg")
            #expect(facts.width == 4032 && facts.height == 3024)
            let read = try #require(facts.exif.facts)
            #expect(read.localCaptureTime == "2026-12-04T11:15:30")
            #expect(read.capturedAt == ISO8601DateFormatter().date(from: "2026-12-04T10:15:30Z"))
            let location = try #require(read.location)
            #expect(abs(location.latitude - Self.madrid.latitude) < 1e-6)
            #expect(abs(location.longitude - Self.madrid.longitude) < 1e-6)
            #expect(read.make == "FieldCam")
            #expect(read.problems.isEmpty)
        }
    }

    @Test("without an offset the GPS time stamp (UTC) gives the moment")
    func gpsTime() throws {
        let exif = ExifBuilder(dateTimeOriginal: "2026:12:04 11:15:30", latitude: -33.9, longitude: 151.2,
                               gpsDate: "2026:12:04", gpsTime: (10, 15, 31))
        let read = try #require(try PhotoFacts.inspect(TestHeaders.jpeg(width: 10, height: 10, exif: exif.app1())).exif.facts)
        #expect(read.capturedAt == ISO8601DateFormatter().date(from: "2026-12-04T10:15:31Z"))
        #expect(read.location!.latitude < 0)
    }

    @Test("a chat photo without EXIF is recorded as absent, not refused")
    func noExif() throws {
        let facts = try PhotoFacts.inspect(TestHeaders.jpeg(width: 1600, height: 1200))
        #expect(facts.exif == .absent)
        #expect(facts.width == 1600)
    }

    @Test("malformed EXIF blocks are read as malformed (and the photo refused) or with problems, never a crash")
    func malformed() throws {
        let good = ExifBuilder(dateTimeOriginal: "2026:12:04 11:15:30", latitude: 40, longitude: -3).tiff()
        // Wrong byte order mark.
        #expect(ExifReader.read(Array("XX".utf8) + good.dropFirst(2)).status == "malformed")
        // First directory far outside the block.
        var outside = good
        outside[4] = 0xFF; outside[5] = 0xFF; outside[6] = 0xFF; outside[7] = 0x7F
        #expect(ExifReader.read(outside).status == "malformed")
        // Every truncation and every single-byte corruption parses without trapping.
        for length in 0..<good.count { _ = ExifReader.read(Array(good.prefix(length))) }
        for index in 0..<good.count {
            for value: UInt8 in [0x00, 0xFF, 0x7F] {
                var corrupted = good
                corrupted[index] = value
                _ = ExifReader.read(corrupted)
            }
        }
        // A date that is no date, and a GPS directory pointing nowhere: kept as problems.
        var builder = ExifBuilder(dateTimeOriginal: "2026:02:30 25:00:00")
        builder.make = nil
        let badDate = try #require(ExifReader.read(builder.tiff()).facts)
        #expect(badDate.localCaptureTime == nil)
        #expect(badDate.problems == ["DateTimeOriginal is not a date"])
        // A JPEG whose EXIF points its first directory outside the block is refused.
        let garbage = Array("Exif\0\0MM".utf8) + [0, 42, 0xFF, 0xFF, 0xFF, 0xF0, 1, 2, 3]
        let jpeg = TestHeaders.jpeg(width: 800, height: 600, exif: [0xFF, 0xE1, 0, UInt8(garbage.count + 2)] + garbage)
        #expect(throws: PhotoRefusal.malformedExif("the first EXIF directory lies outside the block")) { try PhotoFacts.inspect(jpeg) }
    }

    @Test("PNG, WebP and HEIC sizes")
    func otherTypes() throws {
        let png = try PhotoFacts.inspect(TestHeaders.pngHead(width: 640, height: 480) + [0, 0, 0, 0] + Array("IEND".utf8) + [0, 0, 0, 0])
        #expect(png.contentType == "image/png" && png.width == 640 && png.height == 480)

        func le(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(v >> (8 * $0) & 0xFF) } }
        let vp8x = Array("RIFF".utf8) + le(30, 4) + Array("WEBPVP8X".utf8) + le(10, 4) + [0, 0, 0, 0] + le(1919, 3) + le(1079, 3)
        let webp = try PhotoFacts.inspect(vp8x)
        #expect(webp.contentType == "image/webp" && webp.width == 1920 && webp.height == 1080)
        let lossy = Array("RIFF".utf8) + le(30, 4) + Array("WEBPVP8 ".utf8) + le(10, 4) + [0, 0, 0, 0x9D, 0x01, 0x2A] + le(300, 2) + le(200, 2)
        #expect(try PhotoFacts.inspect(lossy).width == 300)

        func be(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let ispe = { (w: Int, h: Int) in be(20) + Array("ispe".utf8) + [0, 0, 0, 0] + be(w) + be(h) }
        let heic = be(24) + Array("ftypheic".utf8) + be(0) + Array("mif1heic".utf8) + ispe(320, 240) + ispe(4032, 3024)
            + Array("Exif\0\0".utf8) + ExifBuilder(dateTimeOriginal: "2026:12:04 10:00:00").tiff()
        let facts = try PhotoFacts.inspect(heic)
        #expect(facts.contentType == "image/heic" && facts.width == 4032 && facts.height == 3024)
        #expect(facts.exif.facts?.localCaptureTime == "2026-12-04T10:00:00")
    }

    @Test("hostile files are refused with a reason")
    func hostile() throws {
        #expect(throws: PhotoRefusal.tooManyPixels(width: 50_000, height: 50_000)) {
            try PhotoFacts.inspect(TestHeaders.pngHead(width: 50_000, height: 50_000))
        }
        #expect(throws: PhotoRefusal.self) { try PhotoFacts.inspect(Array("#!/bin/sh\nrm -rf /\n".utf8), declared: "image/jpeg") }
        let svg = Array(#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.utf8)
        do {
            _ = try PhotoFacts.inspect(svg)
            Issue.record("an SVG was accepted")
        } catch {
            #expect(error.code == "not_an_image")
            #expect(error.description.contains("SVG"))
        }
        // A JPEG cut before its frame header.
        #expect(throws: PhotoRefusal.self) { try PhotoFacts.inspect(Array(TestHeaders.jpeg(width: 10, height: 10).prefix(25))) }
        #expect(throws: PhotoRefusal.self) { try PhotoFacts.inspect(Array("%PDF-1.7\n".utf8) + [UInt8](repeating: 32, count: 40)) }
    }
}

@Suite("Stripping EXIF GPS")
struct ExifGPSStripperTests {
    @Test("the GPS position goes, the capture time and every byte offset stay")
    func strips() throws {
        for bigEndian in [false, true] {
            let exif = ExifBuilder(dateTimeOriginal: "2026:12:04 11:15:30", offsetTimeOriginal: "+01:00", latitude: 40.4169, longitude: -3.7035,
                                   gpsDate: "2026:12:04", gpsTime: (10, 15, 30), bigEndian: bigEndian)
            var file = TestHeaders.jpeg(width: 64, height: 48, exif: exif.app1())
            let size = file.count
            #expect(try PhotoFacts.inspect(file).exif.facts?.location != nil)
            #expect(ExifGPSStripper.strip(jpegHead: &file))
            #expect(file.count == size)
            let facts = try #require(try PhotoFacts.inspect(file).exif.facts)
            #expect(facts.location == nil)
            #expect(facts.localCaptureTime == "2026-12-04T11:15:30")
            #expect(facts.problems.isEmpty)
            // No trace of the position's rationals: 40°25'0.84" is stored as 40/1, 25/1, 8400/10000.
            let seconds: [UInt8] = bigEndian ? [0, 0, 0x20, 0xD0, 0, 0, 0x27, 0x10] : [0xD0, 0x20, 0, 0, 0x10, 0x27, 0, 0]
            #expect(!file.indices.dropLast(8).contains { Array(file[$0..<$0 + 8]) == seconds })
        }
        var plain = TestHeaders.jpeg(width: 8, height: 8)
        #expect(!ExifGPSStripper.strip(jpegHead: &plain))
        var noGPS = TestHeaders.jpeg(width: 8, height: 8, exif: ExifBuilder(dateTimeOriginal: "2026:12:04 11:15:30").app1())
        #expect(!ExifGPSStripper.strip(jpegHead: &noGPS))
    }
}
