/// Bounds-checked reads from a byte array: every read of a hostile file goes through this, so a
/// length or offset that points outside the bytes gives nil instead of a crash.
struct ByteReader {
    let bytes: [UInt8]
    /// Big-endian (`MM`, JPEG, PNG, ISO boxes) or little-endian (`II`, RIFF).
    var bigEndian: Bool

    init(_ bytes: [UInt8], bigEndian: Bool = true) {
        self.bytes = bytes
        self.bigEndian = bigEndian
    }

    var count: Int { bytes.count }

    func u8(_ offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    func u16(_ offset: Int) -> Int? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        let a = Int(bytes[offset]), b = Int(bytes[offset + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func u24(_ offset: Int) -> Int? {
        guard offset >= 0, offset + 3 <= bytes.count else { return nil }
        let a = Int(bytes[offset]), b = Int(bytes[offset + 1]), c = Int(bytes[offset + 2])
        return bigEndian ? a << 16 | b << 8 | c : c << 16 | b << 8 | a
    }

    func u32(_ offset: Int) -> Int? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        let a = Int(bytes[offset]), b = Int(bytes[offset + 1]), c = Int(bytes[offset + 2]), d = Int(bytes[offset + 3])
        return bigEndian ? a << 24 | b << 16 | c << 8 | d : d << 24 | c << 16 | b << 8 | a
    }

    func ascii(_ offset: Int, _ length: Int) -> String? {
        guard offset >= 0, length >= 0, offset + length <= bytes.count else { return nil }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }

    func slice(_ offset: Int, _ length: Int) -> [UInt8]? {
        guard offset >= 0, length >= 0, offset + length <= bytes.count else { return nil }
        return Array(bytes[offset..<offset + length])
    }

    func matches(_ text: String, at offset: Int) -> Bool {
        ascii(offset, text.utf8.count) == text
    }
}
