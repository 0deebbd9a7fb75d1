/// A reply built once and rendered for any provider ("build once, deliver anywhere").
public struct OutboundMessage: Sendable, Equatable {
    /// The text; used as the caption of an image where the provider has captions.
    public var text: String?
    /// Options the member picks from: buttons, a list, a keyboard or a numbered text, by provider.
    public var choices: [Choice]
    /// An image to send, by public URL or (WhatsApp, Telegram) provider media id.
    public var image: MediaReference?
    /// A location to send; a text with a map link where the provider has no location message.
    public var location: OutboundLocation?
    /// The provider id of the inbound message this replies to, for a quoted reply where supported.
    public var replyToProviderMessageID: String?

    /// Creates a message.
    public init(
        text: String? = nil, choices: [Choice] = [], image: MediaReference? = nil,
        location: OutboundLocation? = nil, replyToProviderMessageID: String? = nil
    ) {
        self.text = text
        self.choices = choices
        self.image = image
        self.location = location
        self.replyToProviderMessageID = replyToProviderMessageID
    }

    /// True when there is nothing to send.
    public var isEmpty: Bool { (text ?? "").isEmpty && choices.isEmpty && image == nil && location == nil }

    /// Throws when the message cannot be rendered anywhere: nothing to send, or an image without a source.
    func validate() throws(RenderError) {
        guard !isEmpty else { throw .emptyMessage }
        if let image, image.providerMediaID == nil, image.url == nil { throw .imageWithoutSource }
    }

    /// The text with the choices appended as "1) Accept" lines: the fallback where choices cannot be native.
    public var textWithNumberedChoices: String {
        [text, choices.isEmpty ? nil : NumberedChoices.render(choices)]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n")
    }
}

/// One option of an outbound message; `id` comes back in `MessageContent.choice` when picked.
public struct Choice: Sendable, Hashable {
    /// The stable id our flows match on (e.g. `job42:accept`).
    public var id: String
    /// What the member sees.
    public var title: String

    /// Creates a choice.
    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// A point to send, with an optional place name and address.
public struct OutboundLocation: Sendable, Equatable {
    /// Degrees north.
    public var latitude: Double
    /// Degrees east.
    public var longitude: Double
    /// A place name, e.g. "Store 112".
    public var name: String?
    /// A street address.
    public var address: String?

    /// Creates a location.
    public init(latitude: Double, longitude: Double, name: String? = nil, address: String? = nil) {
        self.latitude = latitude
        self.longitude = longitude
        self.name = name
        self.address = address
    }

    /// The text fallback: name, address and a map link, one per line.
    public var fallbackText: String {
        let link = "https://maps.google.com/?q=\(latitude),\(longitude)"
        return [name, address, link].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
    }
}

/// An approved message template (WhatsApp), sent when the customer-service window is closed.
public struct MessageTemplate: Sendable, Equatable {
    /// The template's name as approved, e.g. `hello_world`.
    public var name: String
    /// The language code it was approved in, e.g. `en_US`.
    public var languageCode: String
    /// Values for the body's `{{1}}`, `{{2}}`… placeholders, in order.
    public var bodyParameters: [String]
    /// The payloads of the template's quick-reply buttons, in the order of its buttons: what a
    /// member's press sends back (WhatsApp: `button.payload`).
    public var quickReplyPayloads: [String]

    /// Creates a template reference.
    public init(name: String, languageCode: String, bodyParameters: [String] = [], quickReplyPayloads: [String] = []) {
        self.name = name
        self.languageCode = languageCode
        self.bodyParameters = bodyParameters
        self.quickReplyPayloads = quickReplyPayloads
    }
}
