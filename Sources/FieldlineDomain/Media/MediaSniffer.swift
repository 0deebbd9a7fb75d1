/// Recognises a media file's type from its first bytes ("magic bytes"), never from what the
/// sender or the provider claims: a file announced as `image/jpeg` is stored as a JPEG only if it
/// starts like one.
public enum MediaSniffer {
    /// How many leading bytes `detect` needs to recognise every type it knows.
    public static let prefixLength = 36

    /// The content type of a file starting with `bytes`, or nil when it is none of the known
    /// kinds: JPEG, PNG, GIF, WebP, HEIC/HEIF, AVIF, PDF, MP4/QuickTime/3GPP video, M4A, Ogg (Opus
    /// voice notes), AMR, AAC and MP3 audio.
    public static func detect(_ bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(prefixLength))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        func ascii(_ text: String, at offset: Int = 0) -> Bool { starts(Array(text.utf8), at: offset) }

        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if ascii("GIF87a") || ascii("GIF89a") { return "image/gif" }
        if ascii("RIFF") && ascii("WEBP", at: 8) { return "image/webp" }
        if ascii("%PDF-") { return "application/pdf" }
        if ascii("ftyp", at: 4), head.count >= 12 { return isoMedia(brand: String(decoding: head[8..<12], as: UTF8.self)) }
        if ascii("OggS") { return "audio/ogg" }
        if ascii("#!AMR") { return "audio/amr" }
        if ascii("ID3") { return "audio/mpeg" }
        if head.count >= 2, head[0] == 0xFF {
            // MPEG audio frame sync: 11 set bits. ADTS (AAC) has layer bits 00; MP3 has 01 (layer III).
            if head[1] & 0xF6 == 0xF0 { return "audio/aac" }
            if head[1] & 0xE6 == 0xE2 { return "audio/mpeg" }
        }
        return nil
    }

    /// An ISO base media file (`ftyp` box) by its major brand.
    private static func isoMedia(brand: String) -> String {
        switch brand {
        case "heic", "heix", "heim", "heis", "hevc", "hevx": "image/heic"
        case "mif1", "msf1": "image/heif"
        case "avif", "avis": "image/avif"
        case "M4A ", "M4B ": "audio/mp4"
        case "qt  ": "video/quicktime"
        case _ where brand.hasPrefix("3g2"): "video/3gpp2"
        case _ where brand.hasPrefix("3gp") || brand.hasPrefix("3gg"): "video/3gpp"
        default: "video/mp4"
        }
    }

    /// The bare `type/subtype` of a Content-Type value, lower-cased (`"Image/JPEG; q=1"` → `"image/jpeg"`).
    public static func essence(_ contentType: String) -> String {
        let bare = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? contentType
        return bare.trimmingWhitespace().lowercased()
    }
}
