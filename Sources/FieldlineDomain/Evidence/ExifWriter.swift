import Foundation

/// Writes an EXIF block (a TIFF structure): the camera make, DateTimeOriginal with its offset,
/// and GPS position, date and time. The tests make their photos with it, byte by byte, so each
/// says exactly what the test expects; the demo tenant's proof photo is made with it too.
public struct ExifWriter: Sendable {
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
    private struct Entry {
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

    private func u16(_ value: Int) -> [UInt8] {
        bigEndian ? [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] : [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)]
    }

    private func u32(_ value: Int) -> [UInt8] {
        let bytes = [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        return bigEndian ? bytes : bytes.reversed()
    }
}

