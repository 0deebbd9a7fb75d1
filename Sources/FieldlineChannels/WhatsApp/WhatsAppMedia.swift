/// WhatsApp media download, step 1: media id → short-lived URL
/// (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media).
public enum WhatsAppMedia {
    /// What `GET /{version}/{media-id}` returns. Download `url` within 5 minutes, with the same bearer token.
    public struct Info: Sendable, Equatable {
        /// The media id.
        public var id: String
        /// The download URL (needs `Authorization: Bearer`).
        public var url: String
        /// The announced content type.
        public var mimeType: String?
        /// Meta's SHA-256 of the file.
        public var sha256: String?
        /// The size in bytes.
        public var fileSize: Int64?
    }

    /// The request that looks up the download URL of `mediaID`.
    public static func infoRequest(mediaID: String, account: WhatsAppAccount) -> ProviderRequest {
        ProviderRequest(
            method: "GET", path: "/\(account.apiVersion)/\(FormEncoding.escapeComponent(mediaID))",
            headers: [account.authorization], body: [])
    }

    /// Reads the lookup response; throws when it is not JSON or lacks `id` or `url`.
    public static func parseInfo(_ body: some Collection<UInt8>) throws(ChannelParseError) -> Info {
        let root = try JSONValue.parse(body, provider: .whatsapp)
        guard let id = root["id"]?.text, let url = root["url"]?.string else {
            throw .unexpectedPayload(provider: .whatsapp, detail: "a media lookup response needs id and url")
        }
        return Info(
            id: id, url: url, mimeType: root["mime_type"]?.string, sha256: root["sha256"]?.string,
            fileSize: root["file_size"]?.int64)
    }
}
