/// What an image's headers say, read without decoding pixels: its pixel size and its EXIF block.
/// Works on the first bytes of the file (`ImageHeader.headLength`); every offset is checked.
public struct ImageHeader: Sendable, Equatable {
    /// How many leading bytes are read: EXIF (at most 64 KiB in JPEG) and the frame header come
    /// before the pixel data in the files phones and cameras write.
    public static let headLength = 512 * 1024

    /// Pixels across, when the header was found.
    public var width: Int?
    /// Pixels down, when the header was found.
    public var height: Int?
    /// The EXIF TIFF structure (`II*\0` or `MM\0*` first), when the file has one.
    public var exif: [UInt8]?

    /// Reads the header of a file of `contentType` (as `MediaSniffer` recognised it) from its
    /// first bytes; other types give an empty header.
    public static func read(_ head: [UInt8], contentType: String) -> ImageHeader {
        let reader = ByteReader(head)
        switch contentType {
        case "image/jpeg": return jpeg(reader)
        case "image/png": return png(reader)
        case "image/webp": return webp(ByteReader(head, bigEndian: false))
        case "image/heic", "image/heif", "image/avif": return isoImage(reader)
        default: return ImageHeader()
        }
    }

    /// JPEG: walks the marker segments up to the start of scan; the frame header (SOFn) has the
    /// size, an APP1 segment starting `Exif\0\0` the EXIF block.
    static func jpeg(_ reader: ByteReader) -> ImageHeader {
        var header = ImageHeader()
        var offset = 2
        while offset + 4 <= reader.count {
            guard reader.u8(offset) == 0xFF, let marker = reader.u8(offset + 1) else { break }
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }  // no length
            if marker == 0xD9 || marker == 0xDA { break }  // end of image, start of scan
            guard let length = reader.u16(offset + 2), length >= 2 else { break }
            let body = offset + 4
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                header.height = reader.u16(body + 1)
                header.width = reader.u16(body + 3)
            } else if marker == 0xE1, header.exif == nil, reader.matches("Exif\0\0", at: body) {
                header.exif = reader.slice(body + 6, min(length - 8, reader.count - body - 6))
            }
            offset = body + length - 2
        }
        return header
    }

    /// PNG: the IHDR chunk comes first; an `eXIf` chunk (PNG 1.5) holds EXIF.
    static func png(_ reader: ByteReader) -> ImageHeader {
        var header = ImageHeader()
        guard reader.matches("IHDR", at: 12) else { return header }
        header.width = reader.u32(16)
        header.height = reader.u32(20)
        var offset = 8
        while let length = reader.u32(offset), let type = reader.ascii(offset + 4, 4), type != "IDAT", type != "IEND" {
            if type == "eXIf" { header.exif = reader.slice(offset + 8, min(length, reader.count - offset - 8)) }
            offset += 12 + length
        }
        return header
    }

    /// WebP: the size from the `VP8 ` (lossy), `VP8L` (lossless) or `VP8X` (extended) chunk;
    /// an `EXIF` chunk holds EXIF.
    static func webp(_ reader: ByteReader) -> ImageHeader {
        var header = ImageHeader()
        var offset = 12
        while let type = reader.ascii(offset, 4), let length = reader.u32(offset + 4) {
            let body = offset + 8
            switch type {
            case "VP8 ":
                if let width = reader.u16(body + 6), let height = reader.u16(body + 8) {
                    header.width = width & 0x3FFF
                    header.height = height & 0x3FFF
                }
            case "VP8L":
                if reader.u8(body) == 0x2F, let bits = reader.u32(body + 1) {
                    header.width = (bits & 0x3FFF) + 1
                    header.height = ((bits >> 14) & 0x3FFF) + 1
                }
            case "VP8X":
                if let width = reader.u24(body + 4), let height = reader.u24(body + 7) {
                    header.width = width + 1
                    header.height = height + 1
                }
            case "EXIF":
                var exif = reader.slice(body, min(length, reader.count - body))
                if let bytes = exif, bytes.starts(with: Array("Exif\0\0".utf8)) { exif = Array(bytes.dropFirst(6)) }
                header.exif = exif
            default: break
            }
            offset = body + length + (length & 1)
        }
        return header
    }

    /// HEIF/HEIC/AVIF: the largest `ispe` (image spatial extent) property is the primary image's
    /// size (the others are thumbnails or tiles); the EXIF item is found exactly through `iinf`
    /// and `iloc` (`HEIFExif`), else by its `Exif\0\0` + TIFF signature in the head (a miss
    /// reads as "no EXIF", never as a wrong value).
    static func isoImage(_ reader: ByteReader) -> ImageHeader {
        var header = ImageHeader()
        let bytes = reader.bytes
        let ispe = Array("ispe".utf8)
        var index = 4
        while index + 16 <= bytes.count {
            if bytes[index] == ispe[0], Array(bytes[index..<index + 4]) == ispe,
                let width = reader.u32(index + 8), let height = reader.u32(index + 12),
                width * height > (header.width ?? 0) * (header.height ?? 0) {
                header.width = width
                header.height = height
            }
            index += 1
        }
        if let tiff = HEIFExif.tiff(reader) {
            header.exif = Array(tiff.prefix(65536))
        } else if let exifStart = find(Array("Exif\0\0".utf8), in: bytes) {
            let tiff = exifStart + 6
            if reader.matches("II*\0", at: tiff) || reader.matches("MM\0*", at: tiff) {
                header.exif = Array(bytes[tiff..<min(bytes.count, tiff + 65536)])
            }
        }
        return header
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for index in 0...(bytes.count - needle.count) where bytes[index] == needle[0] {
            if Array(bytes[index..<index + needle.count]) == needle { return index }
        }
        return nil
    }
}
