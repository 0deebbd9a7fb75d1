import Foundation

/// What a photo's EXIF block says about when and where it was taken.
public struct ExifFacts: Sendable, Equatable {
    /// `DateTimeOriginal` as the camera's clock showed it, `yyyy-MM-ddTHH:mm:ss` (no zone).
    public var localCaptureTime: String?
    /// The moment of capture, when it is known: `DateTimeOriginal` with `OffsetTimeOriginal`, or
    /// else the GPS date and time stamp (which is UTC).
    public var capturedAt: Date?
    /// Where the camera was, from the GPS block.
    public var location: GeoPoint?
    /// Camera make and model, as written.
    public var make: String?
    public var model: String?
    /// Parts that could not be read (a broken GPS block, an impossible date); what could be read is kept.
    public var problems: [String] = []

    /// Facts with nothing in them.
    public init() {}
}

/// A photo's EXIF, or why there is none: a chat app's compressed photo usually has none, which is
/// a fact to record, not an error.
public enum ExifReading: Sendable, Equatable {
    /// The file has no EXIF block.
    case absent
    /// An EXIF block that could be read (see `ExifFacts.problems` for parts that could not).
    case present(ExifFacts)
    /// An EXIF block whose structure is broken; the reason says where.
    case malformed(String)

    /// `absent`, `present` or `malformed`.
    public var status: String {
        switch self {
        case .absent: "absent"
        case .present: "present"
        case .malformed: "malformed"
        }
    }

    /// The facts, when present.
    public var facts: ExifFacts? {
        if case .present(let facts) = self { return facts }
        return nil
    }
}

/// Reads the TIFF structure of an EXIF block defensively: offsets are bounds-checked, loops
/// between IFDs are cut, entry counts are capped, and nothing is trusted to be well-formed.
public enum ExifReader {
    /// Most entries read from one IFD (real ones have a few dozen).
    static let maxEntries = 512

    /// Parses an EXIF TIFF block (starting `II*\0` or `MM\0*`).
    public static func read(_ tiff: [UInt8]) -> ExifReading {
        var reader = ByteReader(tiff)
        switch reader.ascii(0, 2) {
        case "II": reader.bigEndian = false
        case "MM": reader.bigEndian = true
        default: return .malformed("the EXIF block does not start with a TIFF byte order mark")
        }
        guard reader.u16(2) == 42, let ifd0 = reader.u32(4) else { return .malformed("the EXIF block has no TIFF header") }
        guard let main = entries(reader, at: ifd0) else { return .malformed("the first EXIF directory lies outside the block") }
        var facts = ExifFacts()
        facts.make = main[0x010F].flatMap { text(reader, $0) }
        facts.model = main[0x0110].flatMap { text(reader, $0) }
        var offset: String?
        if let pointer = main[0x8769].flatMap({ integer(reader, $0) }) {
            if pointer != ifd0, let exif = entries(reader, at: pointer) {
                facts.localCaptureTime = exif[0x9003].flatMap { text(reader, $0) }.flatMap(localTime)
                if exif[0x9003] != nil, facts.localCaptureTime == nil { facts.problems.append("DateTimeOriginal is not a date") }
                offset = exif[0x9011].flatMap { text(reader, $0) }
            } else {
                facts.problems.append("the EXIF sub-directory lies outside the block")
            }
        }
        if facts.localCaptureTime == nil, let dateTime = main[0x0132].flatMap({ text(reader, $0) }).flatMap(localTime) {
            facts.localCaptureTime = dateTime
        }
        var gpsTime: Date?
        if let pointer = main[0x8825].flatMap({ integer(reader, $0) }) {
            if pointer != ifd0, let gps = entries(reader, at: pointer) {
                readGPS(reader, gps, into: &facts, time: &gpsTime)
            } else {
                facts.problems.append("the GPS directory lies outside the block")
            }
        }
        if let local = facts.localCaptureTime, let offset, let date = instant(local, offset: offset) {
            facts.capturedAt = date
        } else {
            facts.capturedAt = gpsTime
        }
        return .present(facts)
    }

    /// One IFD's entries by tag, or nil when the directory is out of bounds.
    private static func entries(_ reader: ByteReader, at offset: Int) -> [Int: Entry]? {
        guard let count = reader.u16(offset), count <= maxEntries, offset + 2 + count * 12 <= reader.count else { return nil }
        var result: [Int: Entry] = [:]
        for index in 0..<count {
            let at = offset + 2 + index * 12
            guard let tag = reader.u16(at), let type = reader.u16(at + 2), let count = reader.u32(at + 4) else { continue }
            result[tag] = Entry(type: type, count: count, at: at + 8)
        }
        return result
    }

    /// A directory entry: its value is inline (4 bytes or fewer) or at an offset.
    private struct Entry {
        let type: Int
        let count: Int
        let at: Int

        var unitSize: Int? {
            switch type {
            case 1, 2, 6, 7: 1
            case 3, 8: 2
            case 4, 9, 11: 4
            case 5, 10, 12: 8
            default: nil
            }
        }

        /// Where the value's bytes start, or nil when they would lie outside the block.
        func valueOffset(_ reader: ByteReader) -> Int? {
            guard let unitSize, count >= 0, count <= 1 << 20 else { return nil }
            let size = unitSize * count
            let offset = size <= 4 ? at : reader.u32(at)
            guard let offset, offset >= 0, offset + size <= reader.count else { return nil }
            return offset
        }
    }

    private static func text(_ reader: ByteReader, _ entry: Entry) -> String? {
        guard entry.type == 2, let offset = entry.valueOffset(reader), let raw = reader.slice(offset, entry.count) else { return nil }
        let bytes = raw.prefix { $0 != 0 }
        let string = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return string.isEmpty ? nil : String(string.prefix(100))
    }

    private static func integer(_ reader: ByteReader, _ entry: Entry) -> Int? {
        guard let offset = entry.valueOffset(reader) else { return nil }
        switch entry.type {
        case 3: return reader.u16(offset)
        case 4, 9: return reader.u32(offset)
        default: return nil
        }
    }

    private static func rationals(_ reader: ByteReader, _ entry: Entry, count: Int) -> [Double]? {
        guard entry.type == 5 || entry.type == 10, entry.count >= count, let offset = entry.valueOffset(reader) else { return nil }
        var values: [Double] = []
        for index in 0..<count {
            guard let numerator = reader.u32(offset + index * 8), let denominator = reader.u32(offset + index * 8 + 4), denominator != 0 else {
                return nil
            }
            values.append(Double(numerator) / Double(denominator))
        }
        return values
    }

    private static func readGPS(_ reader: ByteReader, _ gps: [Int: Entry], into facts: inout ExifFacts, time: inout Date?) {
        if let latitude = gps[2].flatMap({ rationals(reader, $0, count: 3) }), let longitude = gps[4].flatMap({ rationals(reader, $0, count: 3) }) {
            let north = gps[1].flatMap { text(reader, $0) } != "S"
            let east = gps[3].flatMap { text(reader, $0) } != "W"
            let lat = degrees(latitude) * (north ? 1 : -1), lon = degrees(longitude) * (east ? 1 : -1)
            if let point = try? GeoPoint(latitude: lat, longitude: lon) {
                facts.location = point
            } else {
                facts.problems.append("the GPS position is out of range")
            }
        } else if gps[2] != nil || gps[4] != nil {
            facts.problems.append("the GPS position could not be read")
        }
        if let date = gps[0x1D].flatMap({ text(reader, $0) }), let clock = gps[7].flatMap({ rationals(reader, $0, count: 3) }),
            clock.allSatisfy({ $0.isFinite && $0 >= 0 && $0 < 61 }) {
            let stamp = date.replacingOccurrences(of: ":", with: "-") + "T" + String(format: "%02d:%02d:%02d", Int(clock[0]), Int(clock[1]), Int(clock[2]))
            time = instant(stamp, offset: "+00:00")
        }
    }

    private static func degrees(_ parts: [Double]) -> Double { parts[0] + parts[1] / 60 + parts[2] / 3600 }

    /// `2026:12:04 10:15:00` → `2026-12-04T10:15:00`, or nil for anything that is not a real date.
    static func localTime(_ exif: String) -> String? {
        let characters = Array(exif.utf8)
        guard characters.count >= 19 else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digits.allSatisfy({ (48...57).contains(characters[$0]) }) else { return nil }
        let text = String(decoding: characters[0..<19], as: UTF8.self)
        let iso = String(text.prefix(4)) + "-" + text.dropFirst(5).prefix(2) + "-" + text.dropFirst(8).prefix(2)
            + "T" + text.dropFirst(11).prefix(8)
        return instant(iso, offset: "+00:00") == nil ? nil : iso
    }

    /// A local `yyyy-MM-ddTHH:mm:ss` at a `+HH:MM` offset as a moment, or nil when invalid.
    static func instant(_ local: String, offset: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: local + offset), formatter.string(from: date).count > 0 else { return nil }
        // ISO8601DateFormatter rolls 2026-02-30 over; a real date prints back the same day.
        let check = ISO8601DateFormatter()
        check.formatOptions = [.withInternetDateTime]
        check.timeZone = TimeZone(secondsFromGMT: offsetSeconds(offset) ?? 0)
        return check.string(from: date).hasPrefix(local) ? date : nil
    }

    private static func offsetSeconds(_ offset: String) -> Int? {
        let parts = offset.dropFirst().split(separator: ":")
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), let sign = offset.first, sign == "+" || sign == "-" else {
            return nil
        }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }
}
