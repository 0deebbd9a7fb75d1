/// The sandbox phone's webhook body: what the member sent, and what the phone showed.
///
/// ```json
/// {"messages": [{"id": "p-1", "from": "<member's sandbox id>", "name": "Ana", "reply_to": "<our message id>",
///                "text": "hola"}],
///  "statuses": [{"id": "<our message id>", "status": "read"}]}
/// ```
/// A message holds exactly one of `text`, `choice` (`{"id", "title"}`), `location`
/// (`{"latitude", "longitude", "name", "address"}`) or `image` (`{"media_id", "mime_type", "caption"}`,
/// the `media_id` being what the phone's upload answered).
public enum SandboxInbound {
    /// The events of a body, in order: messages first, then statuses.
    public static func parse(_ body: [UInt8]) throws(ChannelParseError) -> [InboundEvent] {
        let root = try JSONValue.parse(body, provider: .sandbox)
        guard root.members != nil else { throw failure("the body is not a JSON object") }
        var events: [InboundEvent] = []
        for message in root["messages"]?.elements ?? [] { events.append(.message(try self.message(message))) }
        for status in root["statuses"]?.elements ?? [] { events.append(.status(try self.status(status))) }
        guard !events.isEmpty else { throw failure("the body has no messages and no statuses") }
        return events
    }

    /// A secret is 16–200 visible ASCII characters.
    public static func isWellFormedSecret(_ secret: String) -> Bool {
        (16...200).contains(secret.utf8.count) && secret.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// 64 lowercase hex digits.
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func message(_ json: JSONValue) throws(ChannelParseError) -> InboundMessage {
        guard let id = json["id"]?.text, !id.isEmpty, id.count <= 200 else { throw failure("a message needs an id") }
        guard let from = json["from"]?.text, !from.isEmpty, from.count <= 200 else { throw failure("a message needs from") }
        return InboundMessage(
            provider: .sandbox, providerMessageID: id, sender: from, senderName: json["name"]?.string,
            content: try content(json), replyToProviderMessageID: json["reply_to"]?.string)
    }

    private static func content(_ json: JSONValue) throws(ChannelParseError) -> MessageContent {
        let kinds = ["text", "choice", "location", "image"].filter { json[$0] != nil }
        guard kinds.count == 1 else { throw failure("a message holds exactly one of text, choice, location, image") }
        if let text = json["text"]?.string { return .text(text) }
        if let choice = json["choice"] {
            guard let id = choice["id"]?.text, !id.isEmpty else { throw failure("choice.id is required") }
            return .choice(id: id, title: choice["title"]?.string)
        }
        if let location = json["location"] {
            guard let latitude = location["latitude"]?.double, let longitude = location["longitude"]?.double,
                  (-90...90).contains(latitude), (-180...180).contains(longitude)
            else { throw failure("location needs latitude (-90..90) and longitude (-180..180)") }
            return .location(latitude: latitude, longitude: longitude, name: location["name"]?.string, address: location["address"]?.string)
        }
        if let image = json["image"] {
            guard let mediaID = image["media_id"]?.string, isSHA256(mediaID) else {
                throw failure("image.media_id must be what the phone's upload answered")
            }
            return .image(MediaReference(providerMediaID: mediaID, mimeType: image["mime_type"]?.string, sha256: mediaID),
                          caption: image["caption"]?.string)
        }
        throw failure("text must be a string")
    }

    private static func status(_ json: JSONValue) throws(ChannelParseError) -> DeliveryStatusUpdate {
        guard let id = json["id"]?.text, !id.isEmpty else { throw failure("a status needs an id") }
        guard let status = json["status"]?.string.flatMap(DeliveryStatus.init(rawValue:)), status != .failed else {
            throw failure("status must be sent, delivered or read")
        }
        return DeliveryStatusUpdate(provider: .sandbox, providerMessageID: id, status: status)
    }

    private static func failure(_ detail: String) -> ChannelParseError {
        .unexpectedPayload(provider: .sandbox, detail: detail)
    }
}
