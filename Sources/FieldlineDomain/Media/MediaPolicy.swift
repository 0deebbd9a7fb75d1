/// What inbound media Fieldline accepts: a size limit and an allow-list of content types
/// (as recognised by `MediaSniffer`). A refusal is permanent: fetching again cannot change it.
public struct MediaPolicy: Sendable, Equatable {
    /// Every type `MediaSniffer` recognises: the default allow-list.
    public static let defaultAllowedTypes: [String] = [
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif",
        "application/pdf", "video/mp4", "video/quicktime", "video/3gpp", "video/3gpp2",
        "audio/mp4", "audio/ogg", "audio/amr", "audio/aac", "audio/mpeg",
    ]

    /// The largest file accepted, in bytes.
    public var maxBytes: Int64
    /// Content types accepted (bare `type/subtype`, lower case).
    public var allowedTypes: Set<String>

    /// A policy; types are normalised to their lower-case essence.
    public init(maxBytes: Int64, allowedTypes: some Sequence<String> = MediaPolicy.defaultAllowedTypes) {
        self.maxBytes = maxBytes
        self.allowedTypes = Set(allowedTypes.map(MediaSniffer.essence))
    }

    /// Refuses a size (announced or counted so far) above the limit.
    public func check(size: Int64) throws(MediaRefusal) {
        if size > maxBytes { throw .tooLarge(limit: maxBytes) }
    }

    /// The content type to store for a file starting with `head`, or why it is refused.
    /// `declared` (what the provider announced) only makes the refusal clearer.
    public func contentType(head: some Collection<UInt8>, declared: String?) throws(MediaRefusal) -> String {
        guard let detected = MediaSniffer.detect(head) else { throw .unrecognised(declared: declared) }
        guard allowedTypes.contains(detected) else { throw .notAllowed(detected: detected) }
        return detected
    }
}

/// Why a media file was refused. The description is what the media's `error` shows.
public enum MediaRefusal: Error, Equatable, CustomStringConvertible {
    /// Larger than the limit (bytes).
    case tooLarge(limit: Int64)
    /// The first bytes match no known media type.
    case unrecognised(declared: String?)
    /// A known type that is not on the allow-list.
    case notAllowed(detected: String)

    public var description: String {
        switch self {
        case .tooLarge(let limit):
            "refused: the file is larger than the limit of \(limit) bytes"
        case .unrecognised(let declared):
            "refused: the content is not a recognised media type" + (declared.map { " (the provider declared \($0))" } ?? "")
        case .notAllowed(let detected):
            "refused: content type \(detected) is not allowed"
        }
    }
}
