/// Maps one WhatsApp message object (`value.messages[]` element) to `MessageContent`.
enum WhatsAppContent {
    /// The content of `message`, by its `type`; unknown or incomplete kinds become `.unsupported`.
    static func content(of message: JSONValue) -> MessageContent {
        let type = message["type"]?.string ?? "unknown"
        return known(type: type, message) ?? .unsupported(type: type, raw: message.serializedString)
    }

    private static func known(type: String, _ message: JSONValue) -> MessageContent? {
        switch type {
        case "text":
            return message["text"]?["body"]?.string.map(MessageContent.text)
        case "image":
            guard let image = message["image"] else { return nil }
            return .image(media(image), caption: image["caption"]?.string)
        case "document", "audio", "video", "sticker":
            // Voice notes, videos and stickers are kept as files so their media is fetched, not lost.
            guard let file = message[type] else { return nil }
            return .document(media(file), filename: file["filename"]?.string, caption: file["caption"]?.string)
        case "location":
            guard let location = message["location"], let latitude = location["latitude"]?.double,
                let longitude = location["longitude"]?.double
            else { return nil }
            return .location(
                latitude: latitude, longitude: longitude, name: location["name"]?.string,
                address: location["address"]?.string)
        case "interactive":
            return interactive(message["interactive"])
        case "button":
            // A quick-reply button on a template: the payload is the id we set on the template.
            guard let button = message["button"], let payload = button["payload"]?.string ?? button["text"]?.string
            else { return nil }
            return .choice(id: payload, title: button["text"]?.string)
        default:
            return nil
        }
    }

    private static func interactive(_ interactive: JSONValue?) -> MessageContent? {
        guard let interactive, let kind = interactive["type"]?.string,
            kind == "button_reply" || kind == "list_reply",
            let reply = interactive[kind], let id = reply["id"]?.text
        else { return nil }
        return .choice(id: id, title: reply["title"]?.string)
    }

    private static func media(_ object: JSONValue) -> MediaReference {
        MediaReference(
            providerMediaID: object["id"]?.text, url: object["url"]?.string ?? object["link"]?.string,
            mimeType: object["mime_type"]?.string, sha256: object["sha256"]?.string)
    }
}
