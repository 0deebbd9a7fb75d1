import Foundation

/// How to fetch one inbound media file, as a description the server's downloader executes:
/// the provider decides the steps and credentials, the server does the HTTP.
public enum MediaDownloadPlan: Sendable {
    /// One GET of the file.
    case get(MediaDownload)
    /// A look-up request first, whose answer says where the file is.
    case lookUp(MediaLookUp)
    /// The file is already in the server's media store under this SHA-256 (lowercase hex): the
    /// sandbox phone uploads its photos there before sending them. Its bytes are checked as a
    /// download's are (size, recognised type).
    case stored(sha256: String, declaredType: String?)

    /// The file to download when the plan has no look-up step.
    public var download: MediaDownload? {
        if case .get(let download) = self { return download }
        return nil
    }

    /// The look-up step, when there is one.
    public var lookUp: MediaLookUp? {
        if case .lookUp(let lookUp) = self { return lookUp }
        return nil
    }
}

/// A GET of the file itself.
public struct MediaDownload: Sendable, Equatable {
    /// The absolute URL.
    public var url: String
    /// Headers to send; an `Authorization` header must not follow a redirect to another origin.
    public var headers: [ProviderRequest.Header]
    /// The size the provider announced, checked against the limit before downloading.
    public var size: Int64?
    /// The SHA-256 the provider announced (lowercase hex); the bytes must match it.
    public var sha256: String?
    /// The content type the provider announced (kept, and used to explain refusals).
    public var declaredType: String?

    /// Creates a download step.
    public init(
        url: String, headers: [ProviderRequest.Header] = [], size: Int64? = nil, sha256: String? = nil, declaredType: String? = nil
    ) {
        self.url = url
        self.headers = headers
        self.size = size
        self.sha256 = sha256
        self.declaredType = declaredType
    }
}

/// A GET (`url` with `headers`) whose JSON answer `read` turns into the download.
public struct MediaLookUp: Sendable {
    /// The absolute URL of the look-up.
    public var url: String
    /// Headers to send with it.
    public var headers: [ProviderRequest.Header]
    /// Statuses of the download that mean the looked-up URL expired: look up once more, then download.
    public var lookUpAgainOn: Set<Int>
    /// Reads the look-up's answer into the download step.
    public var read: @Sendable ([UInt8]) throws(ChannelParseError) -> MediaDownload

    /// Creates a look-up step.
    public init(
        url: String, headers: [ProviderRequest.Header] = [], lookUpAgainOn: Set<Int> = [],
        read: @escaping @Sendable ([UInt8]) throws(ChannelParseError) -> MediaDownload
    ) {
        self.url = url
        self.headers = headers
        self.lookUpAgainOn = lookUpAgainOn
        self.read = read
    }
}

/// Why no download could be planned. Every case is final: trying again will not help.
public enum MediaDownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The inbound message named no `what` (media id, URL) for the file.
    case missing(String)
    /// The media URL is not an absolute http(s) URL.
    case notHTTP
    /// The provider needs the account's credentials and none were given.
    case accountRequired
    /// The account lacks a setting the download needs.
    case misconfigured(String)

    /// A readable explanation.
    public var description: String {
        switch self {
        case .missing(let what): return "the media has no \(what)"
        case .notHTTP: return "the media URL is not an http(s) URL"
        case .accountRequired: return "the adapter was disabled or removed"
        case .misconfigured(let setting): return "adapter misconfigured: \(setting)"
        }
    }
}

/// Checks on the URLs of media downloads.
public enum MediaURL {
    /// `url` when it is an absolute http(s) URL with a host.
    public static func http(_ url: String) -> URL? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            parsed.host != nil
        else { return nil }
        return parsed
    }

    /// Same scheme, host and port: where credentials may go.
    public static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func port(_ url: URL) -> Int? { url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80) }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && port(a) == port(b)
    }
}

extension MediaReference {
    /// A provider's SHA-256 (Base64 as WhatsApp sends it, or hex) as lowercase hex; nil when it is neither.
    public static func hexSHA256(_ value: String) -> String? {
        if value.count == 64, value.allSatisfy(\.isHexDigit) { return value.lowercased() }
        guard let data = Data(base64Encoded: value), data.count == 32 else { return nil }
        return Hex.encode(data)
    }
}
