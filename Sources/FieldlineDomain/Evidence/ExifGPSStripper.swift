/// Removes the GPS position from a JPEG's or HEIC/HEIF's EXIF block in place, keeping every other byte where it
/// is: the GPS directory's entries and the values they point to are overwritten with zeros and
/// the directory emptied. The file keeps its size, so it can be patched in its first bytes while
/// the rest streams unchanged; capture time, camera and everything else stay.
public enum ExifGPSStripper {
    /// Strips the GPS block from a JPEG whose first bytes are `head` (the EXIF block must lie
    /// within them: `ImageHeader.headLength` is enough). Returns whether there was one.
    @discardableResult
    public static func strip(jpegHead head: inout [UInt8]) -> Bool {
        guard let (tiffStart, tiffLength) = exifRange(head) else { return false }
        var tiff = Array(head[tiffStart..<tiffStart + tiffLength])
        guard strip(tiff: &tiff) else { return false }
        head.replaceSubrange(tiffStart..<tiffStart + tiffLength, with: tiff)
        return true
    }

    /// Strips the GPS block from a HEIC/HEIF whose first bytes are `head`: its EXIF item, found
    /// through `iinf` and `iloc` as `ImageHeader` finds it (else by its `Exif\0\0` signature),
    /// must lie within them. Returns whether there was one.
    @discardableResult
    public static func strip(heifHead head: inout [UInt8]) -> Bool {
        let reader = ByteReader(head)
        var range = HEIFExif.tiffRange(reader)
        if range == nil, let marker = ImageHeader.find(Array("Exif\0\0".utf8), in: head),
           reader.matches("II*\0", at: marker + 6) || reader.matches("MM\0*", at: marker + 6) {
            range = (marker + 6, head.count - marker - 6)
        }
        guard let (start, length) = range else { return false }
        var tiff = Array(head[start..<start + length])
        guard strip(tiff: &tiff) else { return false }
        head.replaceSubrange(start..<start + length, with: tiff)
        return true
    }

    /// Strips the GPS block from a photo of `contentType` (JPEG or HEIC/HEIF) whose first bytes
    /// are `head`; returns whether there was one.
    @discardableResult
    public static func strip(head: inout [UInt8], contentType: String) -> Bool {
        switch contentType {
        case "image/jpeg": strip(jpegHead: &head)
        case "image/heic", "image/heif": strip(heifHead: &head)
        default: false
        }
    }

    /// The types whose GPS can be stripped.
    public static let strippableTypes: Set<String> = ["image/jpeg", "image/heic", "image/heif"]

    /// Strips the GPS directory of a TIFF (EXIF) block in place; returns whether there was one.
    static func strip(tiff: inout [UInt8]) -> Bool {
        var reader = ByteReader(tiff)
        switch reader.ascii(0, 2) {
        case "II": reader.bigEndian = false
        case "MM": reader.bigEndian = true
        default: return false
        }
        guard let ifd0 = reader.u32(4), let count = reader.u16(ifd0), count <= ExifReader.maxEntries else { return false }
        var gpsOffset: Int?
        for index in 0..<count where reader.u16(ifd0 + 2 + index * 12) == 0x8825 {
            gpsOffset = reader.u32(ifd0 + 2 + index * 12 + 8)
        }
        guard let gps = gpsOffset, let entries = reader.u16(gps), entries <= ExifReader.maxEntries,
            gps + 2 + entries * 12 <= tiff.count else { return false }
        let sizes = [1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8]
        for index in 0..<entries {
            let at = gps + 2 + index * 12
            guard let type = reader.u16(at + 2), let unit = sizes[type], let values = reader.u32(at + 4) else { continue }
            let size = unit * values
            if size > 4, let offset = reader.u32(at + 8), offset >= 0, offset + size <= tiff.count {
                tiff.replaceSubrange(offset..<offset + size, with: repeatElement(0, count: size))
            }
        }
        tiff.replaceSubrange(gps..<gps + 2 + entries * 12, with: repeatElement(0, count: 2 + entries * 12))
        return true
    }

    /// Where the TIFF block of the first `Exif` APP1 segment is within `head`.
    private static func exifRange(_ head: [UInt8]) -> (Int, Int)? {
        let reader = ByteReader(head)
        guard reader.u8(0) == 0xFF, reader.u8(1) == 0xD8 else { return nil }
        var offset = 2
        while offset + 4 <= reader.count {
            guard reader.u8(offset) == 0xFF, let marker = reader.u8(offset + 1) else { return nil }
            if marker == 0xFF { offset += 1; continue }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            if marker == 0xD9 || marker == 0xDA { return nil }
            guard let length = reader.u16(offset + 2), length >= 2 else { return nil }
            if marker == 0xE1, reader.matches("Exif\0\0", at: offset + 4) {
                let start = offset + 10
                let end = min(offset + 2 + length, reader.count)
                return end > start ? (start, end - start) : nil
            }
            offset += 2 + length
        }
        return nil
    }
}
