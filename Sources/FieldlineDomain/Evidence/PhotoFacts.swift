/// The facts Fieldline records about one proof file, from its first bytes (no pixels decoded):
/// the type recognised by its magic bytes, its pixel size and its EXIF.
public struct PhotoFacts: Sendable, Equatable {
    /// Largest image accepted, in pixels (width × height): 100 megapixels is beyond any phone
    /// camera, and a file declaring more is a decompression bomb, not a photo.
    public static let maxPixels = 100_000_000

    /// As `MediaSniffer` recognised it.
    public var contentType: String
    /// Pixel size, when the header was found.
    public var width: Int?
    public var height: Int?
    /// The EXIF block, or why there is none.
    public var exif: ExifReading

    /// Facts from the first bytes of a file (`ImageHeader.headLength` of them, or the whole file
    /// when it is shorter). Images whose size cannot be read or is too large are refused.
    /// - Throws: `PhotoRefusal` for what is not an image a crew could have taken.
    public static func inspect(_ head: [UInt8], declared: String? = nil) throws(PhotoRefusal) -> PhotoFacts {
        guard let contentType = MediaSniffer.detect(head) else {
            throw .notAnImage(Self.describe(head, declared: declared))
        }
        guard PhotoFacts.imageTypes.contains(contentType) else {
            throw .notAnImage("the file is \(contentType), not a JPEG, PNG, HEIC/HEIF or WebP photo")
        }
        let header = ImageHeader.read(head, contentType: contentType)
        if let width = header.width, let height = header.height {
            guard width > 0, height > 0 else { throw .unreadable("the image declares a size of \(width) × \(height) pixels") }
            guard width.multipliedReportingOverflow(by: height).partialValue <= maxPixels, width <= 1 << 20, height <= 1 << 20 else {
                throw .tooManyPixels(width: width, height: height)
            }
        } else if contentType == "image/jpeg" || contentType == "image/png" {
            throw .unreadable("the \(contentType == "image/png" ? "PNG" : "JPEG") header is missing or truncated")
        }
        let exif = header.exif.map(ExifReader.read) ?? .absent
        // A block whose very structure is broken is a crafted or damaged file, not a camera's:
        // refused like the other hostile files (parts that cannot be read are only `problems`).
        if case .malformed(let reason) = exif { throw .malformedExif(reason) }
        return PhotoFacts(contentType: contentType, width: header.width, height: header.height, exif: exif)
    }

    /// The types a proof photo may be.
    public static let imageTypes: Set<String> = ["image/jpeg", "image/png", "image/heic", "image/heif", "image/webp"]

    /// Facts as given (e.g. read back from storage).
    public init(contentType: String, width: Int?, height: Int?, exif: ExifReading) {
        self.contentType = contentType
        self.width = width
        self.height = height
        self.exif = exif
    }

    /// Names what an unrecognised file looks like, for the refusal's message.
    private static func describe(_ head: [UInt8], declared: String?) -> String {
        let text = String(decoding: head.prefix(256), as: UTF8.self).lowercased()
        let what: String
        if text.contains("<svg") || (text.hasPrefix("<?xml") && text.contains("svg")) {
            what = "an SVG drawing (SVG can carry scripts and is not accepted)"
        } else if text.hasPrefix("#!") || text.contains("<script") || text.contains("<?php") || text.contains("<html") {
            what = "a script or a web page"
        } else {
            what = "not a recognised image"
        }
        return "the content is \(what)" + (declared.map { ", whatever its name or declared type (\($0)) says" } ?? "")
    }
}

/// Why a file is not accepted as a proof photo. The description is what the 4xx (or the media's
/// `error`) says.
public enum PhotoRefusal: Error, Equatable, CustomStringConvertible {
    /// Not an image type a photo can be (a script, an SVG, a PDF...).
    case notAnImage(String)
    /// The image's header is missing, truncated or impossible.
    case unreadable(String)
    /// Declares more pixels than `PhotoFacts.maxPixels` (a decompression bomb).
    case tooManyPixels(width: Int, height: Int)
    /// An EXIF block whose structure is broken.
    case malformedExif(String)

    /// A stable code for the API (`not_an_image`, `unreadable_image`, `too_many_pixels`, `malformed_exif`).
    public var code: String {
        switch self {
        case .notAnImage: "not_an_image"
        case .unreadable: "unreadable_image"
        case .tooManyPixels: "too_many_pixels"
        case .malformedExif: "malformed_exif"
        }
    }

    public var description: String {
        switch self {
        case .notAnImage(let reason): "refused: \(reason)"
        case .unreadable(let reason): "refused: \(reason)"
        case .malformedExif(let reason): "refused: the photo's EXIF block is malformed (\(reason))"
        case .tooManyPixels(let width, let height):
            "refused: the image declares \(width) × \(height) pixels, more than the limit of \(PhotoFacts.maxPixels / 1_000_000) megapixels"
        }
    }
}
