import CImageKit
import FieldlineDomain
import Foundation
import NIOPosix

/// A stored photo's evidence facts: what its headers say, and its perceptual hash.
struct EvidencePhoto: Sendable, Equatable {
    let facts: PhotoFacts
    /// The difference hash of the decoded image; nil for interlaced PNGs, progressive JPEGs too
    /// large for the decoder's 96 MiB budget, HEIF images above `FL_HEIF_MAX_DECODED_PIXELS`,
    /// WebP images above `FL_WEBP_MAX_DECODED_PIXELS` and animated WebP.
    let phash: UInt64?
    /// The spread of the grey thumbnail the hash was made from (`PerceptualHash.contrast`): below
    /// `PerceptualHash.minimumContrast` the picture is too flat to compare by its hash.
    var contrast: Double? = nil
}

/// Reads a photo's facts from its first bytes and decodes the whole file (JPEG, PNG, HEIC/HEIF and
/// WebP, with libjpeg-turbo, libpng, libheif and libwebp through `CImageKit`) into a small grey
/// image for the perceptual hash. JPEG and PNG stream row by row into a 64-pixel thumbnail, so
/// memory stays flat whatever the photo's size; libheif and libwebp's lossless decoder hold one
/// whole picture, so HEIF and WebP decodes run one at a time (`WholePictureDecodeGate`). A
/// truncated or corrupt file is refused rather than hashed.
struct PhotoInspector: Sendable {
    /// The side of the grey thumbnail the hash is computed from.
    static let thumbnailSide: Int32 = 64

    /// What decoding gave: the hash (nil when the image is valid but not decoded) and the pixel
    /// size the decoder found (0 when unknown).
    struct Decoded: Sendable, Equatable {
        let hash: UInt64?
        /// `PerceptualHash.contrast` of the thumbnail, when decoded.
        var contrast: Double? = nil
        let width: Int
        let height: Int
    }

    /// The facts of the photo whose first bytes are `head` and whose bytes are all in `file`.
    /// - Throws: `PhotoRefusal` for a file that is not a usable photo.
    func inspect(head: [UInt8], declared: String?, file: String) async throws -> EvidencePhoto {
        var facts = try PhotoFacts.inspect(head, declared: declared)
        switch facts.contentType {
        case "image/jpeg":
            let decoded = try await Self.decodeOnPool(file: file, kind: 1)
            return EvidencePhoto(facts: facts, phash: decoded.hash, contrast: decoded.contrast)
        case "image/png":
            let decoded = try await Self.decodeOnPool(file: file, kind: 2)
            return EvidencePhoto(facts: facts, phash: decoded.hash, contrast: decoded.contrast)
        case "image/heic", "image/heif":
            let decoded = try await WholePictureDecodeGate.shared.run { try await Self.decodeOnPool(file: file, kind: 3) }
            // libheif's size is the primary image's as shown (after its rotation); the header's
            // is only the largest `ispe` it found in the first bytes.
            if decoded.width > 0, decoded.height > 0 {
                facts.width = decoded.width
                facts.height = decoded.height
            }
            return EvidencePhoto(facts: facts, phash: decoded.hash, contrast: decoded.contrast)
        case "image/webp":
            let decoded = try await WholePictureDecodeGate.shared.run { try await Self.decodeOnPool(file: file, kind: 4) }
            return EvidencePhoto(facts: facts, phash: decoded.hash, contrast: decoded.contrast)
        default:
            return EvidencePhoto(facts: facts, phash: nil)
        }
    }

    private static func decodeOnPool(file: String, kind: Int32) async throws -> Decoded {
        try await NIOThreadPool.singleton.runIfActive { try Self.decode(file: file, kind: kind) }
    }

    /// Decodes `file` (`kind`: 1 JPEG, 2 PNG, 3 HEIF, 4 WebP) and hashes it (blocking: runs on the thread pool).
    static func decode(file: String, kind: Int32) throws -> Decoded {
        var image = fl_gray_image()
        let result = fl_decode_gray(file, kind, thumbnailSide, Int64(PhotoFacts.maxPixels), &image)
        defer { fl_image_free(&image) }
        let message = withUnsafeBytes(of: image.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let (width, height) = (Int(image.source_width), Int(image.source_height))
        switch result {
        case 0:
            let count = Int(image.width) * Int(image.height)
            let pixels = Array(UnsafeBufferPointer(start: image.pixels, count: count))
            let hash = PerceptualHash.dHash(gray: pixels, width: Int(image.width), height: Int(image.height))
            return Decoded(hash: hash, contrast: hash == nil ? nil : PerceptualHash.contrast(gray: pixels), width: width, height: height)
        case -2:
            return Decoded(hash: nil, width: width, height: height)
        default:
            throw PhotoRefusal.unreadable(message.isEmpty ? "the image cannot be decoded" : message)
        }
    }
}

/// Lets one HEIF or WebP decode run at a time in the process: libheif holds a whole picture (up
/// to about 110 MB for `FL_HEIF_MAX_DECODED_PIXELS`), libwebp's lossless decoder too (4 bytes a
/// pixel, 100 MB for `FL_WEBP_MAX_DECODED_PIXELS`), so two at once would double the peak.
actor WholePictureDecodeGate {
    static let shared = WholePictureDecodeGate()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `work` once no other whole-picture decode is running.
    func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await work()
    }
}
