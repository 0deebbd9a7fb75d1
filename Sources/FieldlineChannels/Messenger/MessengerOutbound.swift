/// Renders outbound messages as Messenger Send API requests
/// (https://developers.facebook.com/docs/messenger-platform/reference/send-api/).
///
/// Choices become quick replies (≤ 13) or, with `ChoiceStyle.buttons`, a button template (≤ 3),
/// else numbered text. Images are attachments sent before the text (Messenger has no captions);
/// locations become a text with a map link (Messenger cannot send a pin).
public enum MessengerOutbound {
    /// The requests that deliver `message` to `psid`, in order.
    public static func render(
        _ message: OutboundMessage, to psid: String, page: MessengerPage,
        messagingType: MessengerMessagingType = .response
    ) throws(RenderError) -> [ProviderRequest] {
        try message.validate()
        guard !psid.isEmpty else { throw .invalidRecipient(.messenger, psid) }
        let capabilities = Capabilities.messenger
        let plan = capabilities.choiceRendering(for: message.choices)
        var contents: [JSONValue] = []
        if let image = message.image {
            contents.append(["attachment": ["type": "image", "payload": imagePayload(image)]])
        }
        var text = plan == .numberedText ? message.textWithNumberedChoices : (message.text ?? "")
        if let location = message.location {
            text = [text, location.fallbackText].filter { !$0.isEmpty }.joined(separator: "\n\n")
        }
        if plan == .buttons, text.isEmpty { text = page.choicePrompt }
        let pieces = TextChunks.split(text, limit: capabilities.maxTextLength).filter { !$0.isEmpty }
        for (index, piece) in pieces.enumerated() {
            let isLast = index == pieces.count - 1
            if isLast, plan == .buttons {
                contents.append(choiceMessage(piece, message.choices, style: page.choiceStyle))
            } else {
                contents.append(["text": .string(piece)])
            }
        }
        return contents.map { content in
            var body: [String: JSONValue] = ["recipient": ["id": .string(psid)], "message": content]
            switch messagingType {
            case .response: body["messaging_type"] = "RESPONSE"
            case .update: body["messaging_type"] = "UPDATE"
            case .messageTag(let tag):
                body["messaging_type"] = "MESSAGE_TAG"
                body["tag"] = .string(tag)
            }
            return .json(path: page.messagesPath, body: .object(body))
        }
    }

    /// Reads a Send API response and returns the new message's id.
    public static func parseSendResponse(_ body: some Collection<UInt8>) throws(ChannelParseError) -> String {
        let root = try JSONValue.parse(body, provider: .messenger)
        guard let id = root["message_id"]?.text else {
            throw .unexpectedPayload(provider: .messenger, detail: "a send response needs message_id")
        }
        return id
    }

    /// Quick replies, or a button template when the page prefers buttons and at most 3 choices fit.
    private static func choiceMessage(_ text: String, _ choices: [Choice], style: MessengerPage.ChoiceStyle) -> JSONValue {
        if style == .buttons, choices.count <= 3, text.count <= 640 {
            let buttons = choices.map { choice -> JSONValue in
                ["type": "postback", "title": .string(choice.title), "payload": .string(choice.id)]
            }
            return ["attachment": ["type": "template", "payload": [
                "template_type": "button", "text": .string(text), "buttons": .array(buttons),
            ]]]
        }
        let replies = choices.map { choice -> JSONValue in
            ["content_type": "text", "title": .string(choice.title), "payload": .string(choice.id)]
        }
        return ["text": .string(text), "quick_replies": .array(replies)]
    }

    private static func imagePayload(_ image: MediaReference) -> JSONValue {
        if let url = image.url { return ["url": .string(url), "is_reusable": true] }
        return ["attachment_id": .string(image.providerMediaID ?? "")]
    }
}
