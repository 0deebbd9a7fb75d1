/// What the sandbox phone receives: one JSON message per reply, rendered as WhatsApp would show
/// it (`Capabilities.sandbox`), so the phone page only draws.
///
/// ```json
/// {"to": "<member's sandbox id>", "text": "¿Aceptas?", "choice_style": "buttons",
///  "choices": [{"id": "a", "title": "Sí"}], "image": {"url": "https://…"},
///  "location": {"latitude": 40.4, "longitude": -3.7, "name": "…", "address": "…"}}
/// ```
/// `choice_style` is `buttons` or `list`; choices that fit neither arrive as numbered lines in
/// `text` (`numbered`), and the member answers with the number, as on SMS.
public enum SandboxOutbound {
    /// The one request that delivers `message` to the phone `recipient`.
    public static func render(_ message: OutboundMessage, to recipient: String) throws(RenderError) -> [ProviderRequest] {
        try message.validate()
        guard !recipient.isEmpty else { throw .invalidRecipient(.sandbox, recipient) }
        var body: [String: JSONValue] = ["to": .string(recipient)]
        let rendering = Capabilities.sandbox.choiceRendering(for: message.choices)
        switch rendering {
        case .none:
            if let text = message.text, !text.isEmpty { body["text"] = .string(text) }
        case .buttons, .list:
            if let text = message.text, !text.isEmpty { body["text"] = .string(text) }
            body["choice_style"] = .string(rendering == .buttons ? "buttons" : "list")
            body["choices"] = .array(message.choices.map { .object(["id": .string($0.id), "title": .string($0.title)]) })
        case .numberedText:
            body["text"] = .string(message.textWithNumberedChoices)
            body["choice_style"] = .string("numbered")
        }
        if let image = message.image {
            guard let url = image.url else { throw .imageNeedsURL(.sandbox) }
            body["image"] = .object(["url": .string(url)])
        }
        if let location = message.location {
            var pin: [String: JSONValue] = ["latitude": .number(location.latitude), "longitude": .number(location.longitude)]
            if let name = location.name { pin["name"] = .string(name) }
            if let address = location.address { pin["address"] = .string(address) }
            body["location"] = .object(pin)
        }
        return [.json(path: "/messages", body: .object(body))]
    }
}
