/// Maps one Messenger event (`messaging[]` element or change `value`) to events.
enum MessengerEvent {
    /// The events in `event`: a message per attachment, a choice, or delivery/read statuses.
    static func parse(_ event: JSONValue) -> [InboundEvent] {
        guard let sender = event["sender"]?["id"]?.text ?? event["sender"]?["user_ref"]?.text else { return [] }
        let sentAt = SenderID.date(event["timestamp"])
        let fallbackID = "\(sender):\(event["timestamp"]?.text ?? "0")"
        func message(_ id: String, _ content: MessageContent, replyTo: String? = nil) -> InboundEvent {
            .message(InboundMessage(
                provider: .messenger, providerMessageID: id, sender: sender, sentAt: sentAt,
                content: content, replyToProviderMessageID: replyTo))
        }
        if let body = event["message"] {
            guard body["is_echo"]?.bool != true else { return [] }
            let id = body["mid"]?.text ?? "message:\(fallbackID)"
            let replyTo = body["reply_to"]?["mid"]?.text
            return MessengerContent.contents(of: body).enumerated().map { index, content in
                message(index == 0 ? id : "\(id)#\(index)", content, replyTo: replyTo)
            }
        }
        if let postback = event["postback"] {
            let content: MessageContent = postback["payload"]?.string.map { .choice(id: $0, title: postback["title"]?.string) }
                ?? .unsupported(type: "postback", raw: postback.serializedString)
            return [message(postback["mid"]?.text ?? "postback:\(fallbackID)", content)]
        }
        if let delivery = event["delivery"] {
            let at = SenderID.date(delivery["watermark"])
            let mids: [String?] = delivery["mids"]?.elements.compactMap(\.text) ?? []
            return (mids.isEmpty ? [nil] : mids).map { mid in
                .status(DeliveryStatusUpdate(provider: .messenger, providerMessageID: mid, status: .delivered, at: at, recipient: sender))
            }
        }
        if let read = event["read"] {
            return [.status(DeliveryStatusUpdate(
                provider: .messenger, providerMessageID: nil, status: .read,
                at: SenderID.date(read["watermark"]), recipient: sender))]
        }
        let kind = event.members?.keys.filter { !["sender", "recipient", "timestamp"].contains($0) }.min() ?? "unknown"
        return [message("\(kind):\(fallbackID)", .unsupported(type: kind, raw: event.serializedString))]
    }
}
