import FieldlineDomain

/// The tests' name for the EXIF writer (`FieldlineDomain/Evidence/ExifWriter.swift`).
public typealias ExifBuilder = ExifWriter

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
