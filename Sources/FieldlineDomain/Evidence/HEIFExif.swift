/// Finds a HEIF/HEIC/AVIF file's EXIF exactly, as the format says: the `meta` box's `iinf` names
/// the item of type `Exif`, its `iloc` says where that item's bytes are, and those start with a
/// 4-byte offset to the TIFF header (ISO/IEC 23008-12, annex A). Writers that put no
/// `Exif\0\0` before the TIFF header (libheif's) are read too. Only what lies within the bytes
/// given is read (the head of the file); every offset is checked.
enum HEIFExif {
    /// The EXIF TIFF block, or nil when the file has none within `reader`'s bytes.
    static func tiff(_ reader: ByteReader) -> [UInt8]? {
        tiffRange(reader).flatMap { reader.slice($0.start, $0.length) }
    }

    /// Where the EXIF TIFF block is within `reader`'s bytes.
    static func tiffRange(_ reader: ByteReader) -> (start: Int, length: Int)? {
        guard let meta = box("meta", reader, from: 0, to: reader.count),
              let iinf = box("iinf", reader, from: meta.content + 4, to: meta.end),
              let iloc = box("iloc", reader, from: meta.content + 4, to: meta.end),
              let item = exifItem(reader, iinf), let (offset, length) = extent(of: item, reader, iloc),
              length > 4, let skip = reader.u32(offset) else { return nil }
        let tiff = offset + 4 + skip
        let end = min(offset + length, reader.count)
        guard tiff < end, reader.matches("II*\0", at: tiff) || reader.matches("MM\0*", at: tiff) else { return nil }
        return (tiff, end - tiff)
    }

    /// The first box of `type` between `from` and `to`: where its content starts and where it ends.
    static func box(_ type: String, _ reader: ByteReader, from: Int, to: Int) -> (content: Int, end: Int)? {
        var offset = from
        while offset + 8 <= to, let size = reader.u32(offset), let name = reader.ascii(offset + 4, 4) {
            var header = 8, length = size
            if size == 1 {
                guard let high = reader.u32(offset + 8), let low = reader.u32(offset + 12), high == 0 else { return nil }
                (header, length) = (16, low)
            } else if size == 0 {
                length = to - offset
            }
            guard length >= header else { return nil }
            // The box looked for may run past the bytes given (a head); one before it may not.
            if name == type { return (offset + header, min(offset + length, to)) }
            guard offset + length <= to else { return nil }
            offset += length
        }
        return nil
    }

    /// The id of the `Exif` item in `iinf` (a full box of `infe` entries, version 2 or 3).
    private static func exifItem(_ reader: ByteReader, _ iinf: (content: Int, end: Int)) -> Int? {
        guard let version = reader.u8(iinf.content) else { return nil }
        var offset = iinf.content + 4 + (version == 0 ? 2 : 4)
        while let infe = box("infe", reader, from: offset, to: iinf.end) {
            if let entryVersion = reader.u8(infe.content), entryVersion >= 2 {
                let id = entryVersion == 2 ? reader.u16(infe.content + 4) : reader.u32(infe.content + 4)
                let typeAt = infe.content + 4 + (entryVersion == 2 ? 2 : 4) + 2
                if reader.ascii(typeAt, 4) == "Exif", let id { return id }
            }
            offset = infe.end
        }
        return nil
    }

    /// Where `item`'s bytes are in the file, from `iloc` (versions 0–2): one extent, stored in the file itself.
    private static func extent(of item: Int, _ reader: ByteReader, _ iloc: (content: Int, end: Int)) -> (Int, Int)? {
        guard let version = reader.u8(iloc.content), version <= 2,
              let sizes = reader.u8(iloc.content + 4), let more = reader.u8(iloc.content + 5) else { return nil }
        let (offsetSize, lengthSize, baseSize) = (Int(sizes >> 4), Int(sizes & 15), Int(more >> 4))
        let indexSize = version == 0 ? 0 : Int(more & 15)
        func number(_ at: Int, _ size: Int) -> Int? {
            switch size {
            case 0: 0
            case 4: reader.u32(at)
            case 8: reader.u32(at).flatMap { $0 == 0 ? reader.u32(at + 4) : nil }
            default: nil
            }
        }
        var at = iloc.content + 6
        guard let count = version < 2 ? reader.u16(at) : reader.u32(at) else { return nil }
        at += version < 2 ? 2 : 4
        for _ in 0..<min(count, 10_000) {
            guard let id = version < 2 ? reader.u16(at) : reader.u32(at) else { return nil }
            at += version < 2 ? 2 : 4
            var method = 0
            if version > 0 {
                guard let value = reader.u16(at) else { return nil }
                method = value & 15
                at += 2
            }
            at += 2  // data_reference_index
            guard let base = number(at, baseSize), let extents = reader.u16(at + baseSize) else { return nil }
            at += baseSize + 2
            var first: (Int, Int)?
            for index in 0..<extents {
                at += indexSize
                guard let offset = number(at, offsetSize), let length = number(at + offsetSize, lengthSize) else { return nil }
                at += offsetSize + lengthSize
                if index == 0 { first = (base + offset, length) }
            }
            if id == item { return method == 0 && extents == 1 ? first : nil }
            if at > iloc.end { return nil }
        }
        return nil
    }
}
