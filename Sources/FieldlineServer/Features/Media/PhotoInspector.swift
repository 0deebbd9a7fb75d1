import CImageKit
import FieldlineDomain
import Foundation
import NIOPosix

/// A stored photo's evidence facts: what its headers say, and its perceptual hash.
struct EvidencePhoto: Sendable, Equatable {
    let facts: PhotoFacts
    /// The difference hash of the decoded image; nil for HEIC/HEIF and WebP (no decoder here),
    /// interlaced PNGs and progressive JPEGs too large for the decoder's 96 MiB budget.
    let phash: UInt64?
}

/// Reads a photo's facts from its first bytes and decodes the whole file (JPEG and PNG, with
/// libjpeg-turbo and libpng through `CImageKit`) into a small grey image for the perceptual
/// hash. Decoding streams row by row into a 64-pixel thumbnail, so memory stays flat whatever
/// the photo's size, and a truncated or corrupt file is refused rather than hashed.
struct PhotoInspector: Sendable {
    /// The side of the grey thumbnail the hash is computed from.
    static let thumbnailSide: Int32 = 64

    /// The facts of the photo whose first bytes are `head` and whose bytes are all in `file`.
    /// - Throws: `PhotoRefusal` for a file that is not a usable photo.
    func inspect(head: [UInt8], declared: String?, file: String) async throws -> EvidencePhoto {
        let facts = try PhotoFacts.inspect(head, declared: declared)
        let kind: Int32
        switch facts.contentType {
        case "image/jpeg": kind = 1
        case "image/png": kind = 2
        default: return EvidencePhoto(facts: facts, phash: nil)
        }
        let phash = try await NIOThreadPool.singleton.runIfActive { try Self.decodeHash(file: file, kind: kind) }
        return EvidencePhoto(facts: facts, phash: phash)
    }

    /// Decodes `file` and hashes it (blocking: runs on the thread pool).
    static func decodeHash(file: String, kind: Int32) throws -> UInt64? {
        var image = fl_gray_image()
        let result = fl_decode_gray(file, kind, thumbnailSide, Int64(PhotoFacts.maxPixels), &image)
        defer { fl_image_free(&image) }
        let message = withUnsafeBytes(of: image.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch result {
        case 0:
            let count = Int(image.width) * Int(image.height)
            let pixels = Array(UnsafeBufferPointer(start: image.pixels, count: count))
            return PerceptualHash.dHash(gray: pixels, width: Int(image.width), height: Int(image.height))
        case -2:
            return nil
        default:
            throw PhotoRefusal.unreadable(message.isEmpty ? "the image cannot be decoded" : message)
        }
    }
}
