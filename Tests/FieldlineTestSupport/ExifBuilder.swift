import Foundation

/// Writes EXIF blocks (TIFF structures) and image headers for the tests, so that every test file
/// is made in the test, byte by byte, and says exactly what the test expects it to say.
public struct ExifBuilder: Sendable {
    public var make: String? = "FieldCam"
    /// `yyyy:MM:dd HH:mm:ss`.
    public var dateTimeOriginal: String?
    /// `+HH:MM`.
    public var offsetTimeOriginal: String?
    public var latitude: Double?
    public var longitude: Double?
    /// `yyyy:MM:dd` and h, m, s (UTC).
    public var gpsDate: String?
    public var gpsTime: (Int, Int, Int)?
    public var bigEndian = false

    public init(dateTimeOriginal: String? = nil, offsetTimeOriginal: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
                gpsDate: String? = nil, gpsTime: (Int, Int, Int)? = nil, bigEndian: Bool = false) {
        self.dateTimeOriginal = dateTimeOriginal
        self.offsetTimeOriginal = offsetTimeOriginal
        self.latitude = latitude
        self.longitude = longitude
        self.gpsDate = gpsDate
        self.gpsTime = gpsTime
        self.bigEndian = bigEndian
    }

    /// One directory entry: tag, type, count, and the value's bytes (inline when 4 or fewer).
    struct Entry {
        let tag: Int
        let type: Int
        let count: Int
        let value: [UInt8]
    }

    /// The TIFF block (what follows `Exif\0\0`).
    public func tiff() -> [UInt8] {
        var exifEntries: [Entry] = []
        if let dateTimeOriginal { exifEntries.append(ascii(0x9003, dateTimeOriginal)) }
        if let offsetTimeOriginal { exifEntries.append(ascii(0x9011, offsetTimeOriginal)) }
        var gpsEntries: [Entry] = []
        if let latitude, let longitude {
            gpsEntries.append(ascii(1, latitude >= 0 ? "N" : "S"))
            gpsEntries.append(rationals(2, dms(abs(latitude))))
            gpsEntries.append(ascii(3, longitude >= 0 ? "E" : "W"))
            gpsEntries.append(rationals(4, dms(abs(longitude))))
        }
        if let gpsTime { gpsEntries.append(rationals(7, [(gpsTime.0, 1), (gpsTime.1, 1), (gpsTime.2, 1)])) }
        if let gpsDate { gpsEntries.append(ascii(0x1D, gpsDate)) }

        var main: [Entry] = []
        if let make { main.append(ascii(0x010F, make)) }
        // Pointers are patched once the layout is known.
        if !exifEntries.isEmpty { main.append(Entry(tag: 0x8769, type: 4, count: 1, value: [0, 0, 0, 0])) }
        if !gpsEntries.isEmpty { main.append(Entry(tag: 0x8825, type: 4, count: 1, value: [0, 0, 0, 0])) }

        var out: [UInt8] = bigEndian ? Array("MM".utf8) + [0, 42] : Array("II".utf8) + [42, 0]
        out += u32(8)
        let mainAt = 8
        let exifAt = mainAt + size(of: main)
        let gpsAt = exifAt + (exifEntries.isEmpty ? 0 : size(of: exifEntries))
        main = main.map { entry in
            switch entry.tag {
            case 0x8769: Entry(tag: entry.tag, type: 4, count: 1, value: u32(exifAt))
            case 0x8825: Entry(tag: entry.tag, type: 4, count: 1, value: u32(gpsAt))
            default: entry
            }
        }
        out += directory(main, at: mainAt)
        if !exifEntries.isEmpty { out += directory(exifEntries, at: exifAt) }
        if !gpsEntries.isEmpty { out += directory(gpsEntries, at: gpsAt) }
        return out
    }

    /// The APP1 segment (marker, length, `Exif\0\0`, TIFF).
    public func app1() -> [UInt8] {
        let body = Array("Exif\0\0".utf8) + tiff()
        return [0xFF, 0xE1, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xFF)] + body
    }

    private func size(of entries: [Entry]) -> Int {
        2 + entries.count * 12 + 4 + entries.reduce(0) { $0 + ($1.value.count > 4 ? $1.value.count + ($1.value.count & 1) : 0) }
    }

    private func directory(_ entries: [Entry], at offset: Int) -> [UInt8] {
        var head = u16(entries.count)
        var data: [UInt8] = []
        let dataAt = offset + 2 + entries.count * 12 + 4
        for entry in entries {
            head += u16(entry.tag) + u16(entry.type) + u32(entry.count)
            if entry.value.count <= 4 {
                head += entry.value + [UInt8](repeating: 0, count: 4 - entry.value.count)
            } else {
                head += u32(dataAt + data.count)
                data += entry.value
                if data.count & 1 == 1 { data.append(0) }
            }
        }
        return head + u32(0) + data
    }

    private func ascii(_ tag: Int, _ text: String) -> Entry {
        let bytes = Array(text.utf8) + [0]
        return Entry(tag: tag, type: 2, count: bytes.count, value: bytes)
    }

    private func rationals(_ tag: Int, _ values: [(Int, Int)]) -> Entry {
        Entry(tag: tag, type: 5, count: values.count, value: values.flatMap { u32($0.0) + u32($0.1) })
    }

    private func dms(_ degrees: Double) -> [(Int, Int)] {
        let whole = Int(degrees)
        let minutes = Int((degrees - Double(whole)) * 60)
        let seconds = ((degrees - Double(whole)) * 60 - Double(minutes)) * 60
        return [(whole, 1), (minutes, 1), (Int((seconds * 10000).rounded()), 10000)]
    }

    func u16(_ value: Int) -> [UInt8] {
        bigEndian ? [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] : [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)]
    }

    func u32(_ value: Int) -> [UInt8] {
        let bytes = [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        return bigEndian ? bytes : bytes.reversed()
    }
}

/// Image files (headers, or whole files with `TestImages`) built in the tests.
public enum TestHeaders {
    /// A JPEG made of markers only (SOI, optional APP1, SOF0 with the size, SOS, a few bytes, EOI):
    /// enough for header reading, not decodable.
    public static func jpeg(width: Int, height: Int, exif: [UInt8]? = nil) -> [UInt8] {
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        if let exif { bytes += exif }
        bytes += [0xFF, 0xC0, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 0x03,
                  1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
        bytes += [0xFF, 0xDA, 0x00, 0x0C, 0x03, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3F, 0] + [UInt8](repeating: 0x55, count: 64) + [0xFF, 0xD9]
        return bytes
    }

    /// A PNG signature and IHDR declaring `width` × `height` (and, for a bomb, nothing more).
    public static func pngHead(width: Int, height: Int) -> [UInt8] {
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8) + be32(width) + be32(height)
            + [8, 0, 0, 0, 0] + [0, 0, 0, 0]
    }
}
