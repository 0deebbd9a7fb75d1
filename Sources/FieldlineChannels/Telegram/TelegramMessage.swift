/// Maps a Telegram `Message` object to an `InboundMessage`.
enum TelegramMessage {
    /// The message, or `nil` when it lacks `message_id` or `chat.id`.
    static func parse(_ message: JSONValue) -> InboundMessage? {
        guard let messageID = message["message_id"]?.text, let chatID = message["chat"]?["id"]?.text else {
            return nil
        }
        return InboundMessage(
            provider: .telegram, providerMessageID: "\(chatID):\(messageID)", sender: chatID,
            senderName: name(of: message["from"]) ?? name(of: message["chat"]),
            sentAt: SenderID.date(message["date"]), content: content(of: message),
            replyToProviderMessageID: message["reply_to_message"]?["message_id"]?.text.map { "\(chatID):\($0)" })
    }

    /// "First Last", or the username, of a `User` or `Chat`.
    static func name(of user: JSONValue?) -> String? {
        let full = [user?["first_name"]?.string, user?["last_name"]?.string].compactMap { $0 }.joined(separator: " ")
        return full.isEmpty ? user?["username"]?.string ?? user?["title"]?.string : full
    }

    private static func content(of message: JSONValue) -> MessageContent {
        let caption = message["caption"]?.string
        if let text = message["text"]?.string { return .text(text) }
        if let largest = message["photo"]?.elements.last, let fileID = largest["file_id"]?.string {
            return .image(MediaReference(providerMediaID: fileID), caption: caption)
        }
        if let location = message["location"], let latitude = location["latitude"]?.double,
            let longitude = location["longitude"]?.double
        {
            let venue = message["venue"]
            return .location(
                latitude: latitude, longitude: longitude, name: venue?["title"]?.string,
                address: venue?["address"]?.string)
        }
        for kind in ["document", "voice", "audio", "video", "video_note"] {
            if let file = message[kind], let fileID = file["file_id"]?.string {
                // Voice notes and videos are kept as files so their media is fetched, not lost.
                return .document(
                    MediaReference(providerMediaID: fileID, mimeType: file["mime_type"]?.string),
                    filename: file["file_name"]?.string, caption: caption)
            }
        }
        return .unsupported(type: kind(of: message), raw: message.serializedString)
    }

    /// The name of the first content field present, for `.unsupported(type:)`.
    private static func kind(of message: JSONValue) -> String {
        let known = ["sticker", "contact", "poll", "dice", "animation", "game", "venue", "story", "invoice"]
        return known.first { message[$0] != nil } ?? "unknown"
    }
}
