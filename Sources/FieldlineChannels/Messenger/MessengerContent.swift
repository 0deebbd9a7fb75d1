/// Maps the `message` object of a Messenger event to contents.
enum MessengerContent {
    /// A quick-reply choice, one content per attachment (the text as the first one's caption), or the text.
    static func contents(of message: JSONValue) -> [MessageContent] {
        let text = message["text"]?.string
        if let payload = message["quick_reply"]?["payload"]?.string {
            return [.choice(id: payload, title: text)]
        }
        let attachments = message["attachments"]?.elements ?? []
        if !attachments.isEmpty {
            return attachments.enumerated().map { index, attachment in
                content(of: attachment, caption: index == 0 ? text : nil)
            }
        }
        if let text { return [.text(text)] }
        return [.unsupported(type: "message", raw: message.serializedString)]
    }

    private static func content(of attachment: JSONValue, caption: String?) -> MessageContent {
        let type = attachment["type"]?.string ?? "unknown"
        let payload = attachment["payload"]
        let media = MediaReference(url: payload?["url"]?.string)
        switch type {
        case "image" where media.url != nil && payload?["sticker_id"] == nil:
            return .image(media, caption: caption)
        case "file", "video", "audio":
            if media.url != nil { return .document(media, filename: nil, caption: caption) }
        case "location":
            if let latitude = payload?["coordinates"]?["lat"]?.double, let longitude = payload?["coordinates"]?["long"]?.double {
                return .location(latitude: latitude, longitude: longitude, name: attachment["title"]?.string, address: nil)
            }
        default:
            break
        }
        return .unsupported(type: type, raw: attachment.serializedString)
    }
}
