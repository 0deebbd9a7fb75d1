/// Telegram file download (https://core.telegram.org/bots/api#getfile): `getFile` turns a `file_id`
/// into a `file_path`, then the bytes are at `/file/bot<token>/<file_path>` (valid for at least an hour).
public enum TelegramFile {
    /// What `getFile` returns.
    public struct Info: Sendable, Equatable {
        /// Where to download the file, relative to `/file/bot<token>/`.
        public var filePath: String
        /// The size in bytes, when Telegram knows it.
        public var fileSize: Int64?

        /// Creates a file description.
        public init(filePath: String, fileSize: Int64? = nil) {
            self.filePath = filePath
            self.fileSize = fileSize
        }
    }

    /// The `getFile` request for `fileID`.
    public static func infoRequest(fileID: String, bot: TelegramBot) -> ProviderRequest {
        ProviderRequest(method: "GET", path: bot.path("getFile") + "?file_id=\(FormEncoding.escapeComponent(fileID))", headers: [], body: [])
    }

    /// Reads the `getFile` answer; throws when it is not `ok` or has no usable `file_path`.
    public static func parseInfo(_ body: some Collection<UInt8>) throws(ChannelParseError) -> Info {
        let root = try JSONValue.parse(body, provider: .telegram)
        guard root["ok"]?.bool == true, let result = root["result"] else {
            let reason = root["description"]?.string ?? "the answer is not ok"
            throw .unexpectedPayload(provider: .telegram, detail: "getFile failed: \(reason)")
        }
        guard let path = result["file_path"]?.string, !path.isEmpty,
            !path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else {
            throw .unexpectedPayload(provider: .telegram, detail: "getFile returned no usable file_path")
        }
        return Info(filePath: path, fileSize: result["file_size"]?.int64)
    }

    /// The download path of `info` (each path segment escaped, the slashes kept).
    public static func downloadPath(_ info: Info, bot: TelegramBot) -> String {
        let segments = info.filePath.split(separator: "/").map { FormEncoding.escapeComponent(String($0)) }
        return "/file/bot\(bot.token)/" + segments.joined(separator: "/")
    }
}
