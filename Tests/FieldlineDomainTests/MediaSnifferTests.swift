import FieldlineDomain
import Testing

@Suite("Media type detection by magic bytes")
struct MediaSnifferTests {
    static func bytes(_ values: [UInt8], padTo count: Int = 40) -> [UInt8] {
        values + Array(repeating: 0, count: max(0, count - values.count))
    }

    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// An ISO base media file header: a 32-byte `ftyp` box with `brand`.
    static func ftyp(_ brand: String) -> [UInt8] {
        [0, 0, 0, 0x20] + ascii("ftyp") + ascii(brand) + [0, 0, 0, 0] + ascii("isomiso2mp41")
    }

    /// One sample header per type, with the type it must be recognised as.
    static let samples: [([UInt8], String)] = [
        (bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + ascii("JFIF")), "image/jpeg"),
        (bytes([0xFF, 0xD8, 0xFF, 0xE1] + [0, 0] + ascii("Exif")), "image/jpeg"),
        (bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + ascii("IHDR")), "image/png"),
        (bytes(ascii("GIF89a")), "image/gif"),
        (bytes(ascii("GIF87a")), "image/gif"),
        (bytes(ascii("RIFF") + [0x24, 0, 0, 0] + ascii("WEBPVP8 ")), "image/webp"),
        (bytes(ascii("%PDF-1.7\n")), "application/pdf"),
        (ftyp("isom"), "video/mp4"),
        (ftyp("mp42"), "video/mp4"),
        (ftyp("qt  "), "video/quicktime"),
        (ftyp("3gp4"), "video/3gpp"),
        (ftyp("3g2a"), "video/3gpp2"),
        (ftyp("M4A "), "audio/mp4"),
        (ftyp("heic"), "image/heic"),
        (ftyp("mif1"), "image/heif"),
        (ftyp("avif"), "image/avif"),
        (bytes(ascii("OggS") + [0, 2] + Array(repeating: 0, count: 22) + ascii("OpusHead")), "audio/ogg"),
        (bytes(ascii("#!AMR\n")), "audio/amr"),
        (bytes(ascii("ID3") + [4, 0]), "audio/mpeg"),
        (bytes([0xFF, 0xFB, 0x90, 0x64]), "audio/mpeg"),
        (bytes([0xFF, 0xF1, 0x50, 0x80]), "audio/aac"),
    ]

    @Test("recognises each supported type from its first bytes", arguments: samples)
    func detects(head: [UInt8], expected: String) {
        #expect(MediaSniffer.detect(head) == expected)
    }

    @Test("does not recognise other content, or too few bytes", arguments: [
        ascii("<!DOCTYPE html><html><body>Not found</body></html>"),
        ascii("MZ\u{90}\u{0}\u{3}"),  // a Windows executable
        [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00],  // a ZIP archive (e.g. .docx)
        ascii("RIFF\u{24}\u{0}\u{0}\u{0}WAVEfmt "),  // RIFF, but WAVE, not WebP
        [0xFF, 0xD8],  // the start of a JPEG signature only
        [0x89, 0x50, 0x4E, 0x47],
        ascii("ftyp"),  // no size field before it
        [],
    ])
    func refuses(head: [UInt8]) {
        #expect(MediaSniffer.detect(head) == nil)
    }

    @Test("reads only the prefix it needs: trailing bytes do not matter")
    func prefixOnly() {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDB] + Array(repeating: 0x41, count: 10_000)
        #expect(MediaSniffer.detect(jpeg) == "image/jpeg")
        #expect(MediaSniffer.detect(jpeg.prefix(MediaSniffer.prefixLength)) == "image/jpeg")
    }

    @Test("the essence of a content type drops parameters and case")
    func essence() {
        #expect(MediaSniffer.essence("Image/JPEG") == "image/jpeg")
        #expect(MediaSniffer.essence("audio/ogg; codecs=opus") == "audio/ogg")
        #expect(MediaSniffer.essence(" application/pdf ") == "application/pdf")
    }
}

@Suite("Media policy: size limit and allow-list")
struct MediaPolicyTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]
    static let pdf = Array("%PDF-1.4\n".utf8)

    @Test("accepts an allowed type and names the detected type, not the declared one")
    func accepts() throws {
        let policy = MediaPolicy(maxBytes: 100)
        #expect(try policy.contentType(head: Self.png, declared: "image/jpeg") == "image/png")
        #expect(try policy.contentType(head: Self.pdf, declared: nil) == "application/pdf")
    }

    @Test("refuses unrecognised bytes, naming what the provider declared")
    func unrecognised() throws {
        let policy = MediaPolicy(maxBytes: 100)
        #expect(throws: MediaRefusal.unrecognised(declared: "image/jpeg")) {
            try policy.contentType(head: Array("<html>".utf8), declared: "image/jpeg")
        }
        #expect(MediaRefusal.unrecognised(declared: "image/jpeg").description.contains("image/jpeg"))
    }

    @Test("refuses a recognised type that is not on the allow-list")
    func notAllowed() throws {
        let imagesOnly = MediaPolicy(maxBytes: 100, allowedTypes: ["IMAGE/PNG", "image/jpeg"])
        #expect(try imagesOnly.contentType(head: Self.png, declared: nil) == "image/png")
        #expect(throws: MediaRefusal.notAllowed(detected: "application/pdf")) {
            try imagesOnly.contentType(head: Self.pdf, declared: "application/pdf")
        }
    }

    @Test("refuses sizes above the limit, not at it")
    func size() throws {
        let policy = MediaPolicy(maxBytes: 1_000)
        try policy.check(size: 1_000)
        #expect(throws: MediaRefusal.tooLarge(limit: 1_000)) { try policy.check(size: 1_001) }
        #expect(MediaRefusal.tooLarge(limit: 1_000).description == "refused: the file is larger than the limit of 1000 bytes")
    }

    @Test("the default allow-list is exactly the set of types the sniffer recognises")
    func defaultsAreRecognisable() {
        #expect(Set(MediaPolicy.defaultAllowedTypes) == Set(MediaSnifferTests.samples.map(\.1)))
        #expect(MediaPolicy(maxBytes: 1).allowedTypes == Set(MediaPolicy.defaultAllowedTypes))
    }
}
