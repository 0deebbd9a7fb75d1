/// Renders outbound messages as WhatsApp Cloud API send requests, `POST /{version}/{phone-number-id}/messages`
/// (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages; request examples in
/// Meta's OpenAPI spec, https://github.com/facebook/openapi `business-messaging-api_v23.0.yaml`).
///
/// Choices become reply buttons (≤ 3), a list (≤ 10) or numbered text; an image carries the text
/// as its caption (or heads a buttons message); a location is a native location message.
public enum WhatsAppOutbound {
    /// The requests that deliver `message` to `recipient` (E.164, with or without `+`), in order.
    public static func render(
        _ message: OutboundMessage, to recipient: String, account: WhatsAppAccount
    ) throws(RenderError) -> [ProviderRequest] {
        try message.validate()
        guard !recipient.isEmpty else { throw .invalidRecipient(.whatsapp, recipient) }
        let capabilities = Capabilities.whatsapp
        let plan = capabilities.choiceRendering(for: message.choices)
        var payloads: [(type: String, content: JSONValue)] = []
        var text = plan == .numberedText ? message.textWithNumberedChoices : (message.text ?? "")

        if let image = message.image {
            if plan == .buttons {
                // The image becomes the header of the buttons message below.
            } else if plan == .none, !text.isEmpty, text.count <= capabilities.maxCaptionLength {
                payloads.append(("image", imageObject(image, caption: text)))
                text = ""
            } else {
                payloads.append(("image", imageObject(image, caption: nil)))
            }
        }
        if let location = message.location {
            payloads.append(("location", locationObject(location)))
        }
        switch plan {
        case .buttons:
            let image = message.image.map { imageObject($0, caption: nil) }
            payloads.append(("interactive", WhatsAppInteractive.buttons(message.choices, body: text, image: image, account: account)))
        case .list:
            payloads.append(("interactive", WhatsAppInteractive.list(message.choices, body: text, account: account)))
        case .none, .numberedText:
            for piece in TextChunks.split(text, limit: capabilities.maxTextLength) where !piece.isEmpty {
                payloads.append(("text", ["body": .string(piece), "preview_url": false]))
            }
        }
        return payloads.enumerated().map { index, payload in
            var body: [String: JSONValue] = [
                "messaging_product": "whatsapp", "recipient_type": "individual",
                "to": .string(recipient), "type": .string(payload.type), payload.type: payload.content,
            ]
            if index == 0, let reply = message.replyToProviderMessageID {
                body["context"] = ["message_id": .string(reply)]
            }
            return .json(path: account.messagesPath, body: .object(body), headers: [account.authorization])
        }
    }

    /// The request that sends an approved template (outside the 24-hour window).
    public static func renderTemplate(
        _ template: MessageTemplate, to recipient: String, account: WhatsAppAccount
    ) -> ProviderRequest {
        var object: JSONValue = ["name": .string(template.name), "language": ["code": .string(template.languageCode)]]
        var components: [JSONValue] = []
        if !template.bodyParameters.isEmpty {
            let parameters = template.bodyParameters.map { JSONValue.object(["type": "text", "text": .string(parameterText($0))]) }
            components.append(["type": "body", "parameters": .array(parameters)])
        }
        // Each quick-reply button gets the payload its press sends back (`"type": "button"` inbound).
        for (index, payload) in template.quickReplyPayloads.enumerated() {
            components.append([
                "type": "button", "sub_type": "quick_reply", "index": .string(String(index)),
                "parameters": [["type": "payload", "payload": .string(payload)]],
            ])
        }
        if !components.isEmpty {
            object = merge(object, ["components": .array(components)])
        }
        let body: JSONValue = [
            "messaging_product": "whatsapp", "to": .string(recipient), "type": "template", "template": object,
        ]
        return .json(path: account.messagesPath, body: body, headers: [account.authorization])
    }

    /// A template parameter as WhatsApp takes it: no new lines or tabs, no runs of more than
    /// four spaces, never empty.
    static func parameterText(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        return words.isEmpty ? "-" : words.joined(separator: " ")
    }

    /// The `image` object: by media id when there is one, else by link.
    static func imageObject(_ image: MediaReference, caption: String?) -> JSONValue {
        var object: [String: JSONValue] = [:]
        if let id = image.providerMediaID { object["id"] = .string(id) } else if let url = image.url { object["link"] = .string(url) }
        if let caption, !caption.isEmpty { object["caption"] = .string(caption) }
        return .object(object)
    }

    private static func locationObject(_ location: OutboundLocation) -> JSONValue {
        var object: [String: JSONValue] = ["latitude": .number(location.latitude), "longitude": .number(location.longitude)]
        if let name = location.name { object["name"] = .string(name) }
        if let address = location.address { object["address"] = .string(address) }
        return .object(object)
    }

    private static func merge(_ lhs: JSONValue, _ rhs: JSONValue) -> JSONValue {
        .object((lhs.members ?? [:]).merging(rhs.members ?? [:]) { _, new in new })
    }
}
