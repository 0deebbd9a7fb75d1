/// Reading what the Bot API answers to a send.
extension TelegramOutbound {
    /// Reads a `sendMessage` (or `sendPhoto`, …) answer and returns the new message's id in the
    /// `"<chat id>:<message id>"` form inbound ids use, since Telegram's ids are unique per chat only.
    public static func parseSendResponse(_ body: some Collection<UInt8>, chatID: String) throws(ChannelParseError) -> String {
        let root = try JSONValue.parse(body, provider: .telegram)
        guard let id = root["result"]?["message_id"]?.int64 else {
            throw .unexpectedPayload(provider: .telegram, detail: "a send response needs result.message_id")
        }
        return "\(chatID):\(id)"
    }
}
