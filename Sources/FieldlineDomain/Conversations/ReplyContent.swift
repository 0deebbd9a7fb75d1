/// What an agent's reply carries: text, choices, an image, a location. Built once and rendered
/// for whatever provider the member uses (buttons, list, keyboard, quick replies or numbered text).
///
/// `validate` refuses what no provider could carry, so a bad reply is a 422 when it is written,
/// not a failed delivery later.
public struct ReplyContent: Sendable, Equatable {
    /// Most choices in one message (a WhatsApp list holds 10 rows).
    public static let maxChoices = 10
    /// Longest choice id in UTF-8 bytes (Telegram's `callback_data` limit), so ids come back everywhere.
    public static let maxChoiceIDBytes = 64
    /// Longest choice title; longer than a provider's widget allows is shown as numbered text.
    public static let maxChoiceTitleLength = 100
    /// Longest image caption (WhatsApp and Telegram captions).
    public static let maxCaptionLength = 1024
    /// Longest image URL.
    public static let maxURLLength = 2000

    /// The text, or the image's caption.
    public let text: String?
    /// Options the member picks from, in order.
    public let choices: [ReplyChoice]
    /// A public `https` URL of an image to send.
    public let imageURL: String?
    /// A place to send.
    public let location: ReplyLocation?

    /// The message kind it is stored as: an image or location first (their text is a caption or
    /// a note), then `choice` when it offers choices, else `text`.
    public var kind: MessageKind {
        if imageURL != nil { return .image }
        if location != nil { return .location }
        return choices.isEmpty ? .text : .choice
    }

    /// Creates already validated content (e.g. read back from storage).
    public init(text: String?, choices: [ReplyChoice] = [], imageURL: String? = nil, location: ReplyLocation? = nil) {
        self.text = text
        self.choices = choices
        self.imageURL = imageURL
        self.location = location
    }

    /// Validates a reply as the API receives it, naming the field at fault.
    ///
    /// - Parameters:
    ///   - caption: `image.caption`; it is the message's text, so giving both is refused.
    public static func validate(
        text: String?, choices: [ReplyChoice]?, imageURL: String?, caption: String?, location: ReplyLocation?
    ) throws -> ReplyContent {
        if text != nil, caption != nil {
            throw ValidationError(field: "image.caption", message: "give the text either as text or as image.caption, not both")
        }
        var body = try text.map { try MessageLimits.body($0) }
        if let caption {
            body = try MessageLimits.body(caption, field: "image.caption")
            if let body, body.count > maxCaptionLength {
                throw ValidationError(field: "image.caption", code: "too_long", message: "image.caption must be at most \(maxCaptionLength) characters")
            }
        }
        let url = try imageURL.map(validImageURL)
        let location = try location.map(validLocation)
        let choices = try validChoices(choices ?? [])
        if !choices.isEmpty, body == nil {
            throw ValidationError(field: "text", code: "missing_field", message: "choices need a text: the question they answer")
        }
        guard body != nil || url != nil || location != nil else {
            throw ValidationError(field: "text", code: "missing_field", message: "a reply needs text, an image or a location")
        }
        return ReplyContent(text: body, choices: choices, imageURL: url, location: location)
    }

    private static func validChoices(_ choices: [ReplyChoice]) throws -> [ReplyChoice] {
        guard choices.count <= maxChoices else {
            throw ValidationError(field: "choices", code: "too_many", message: "at most \(maxChoices) choices are allowed, got \(choices.count)")
        }
        var ids = Set<String>()
        var titles = Set<String>()
        return try choices.enumerated().map { index, choice in
            let field = "choices[\(index)]"
            let id = choice.id.trimmingWhitespace()
            let idCharacters = id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-:.".unicodeScalars.contains($0)) }
            guard !id.isEmpty, id.utf8.count <= maxChoiceIDBytes, idCharacters else {
                throw ValidationError(field: "\(field).id", message: "\(field).id must be 1–\(maxChoiceIDBytes) letters, digits, '_', '-', ':' or '.'")
            }
            let title = try Validate.name(choice.title, field: "\(field).title", maxLength: maxChoiceTitleLength)
            guard !title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ValidationError(field: "\(field).title", message: "\(field).title must be one line")
            }
            guard ids.insert(id).inserted else {
                throw ValidationError(field: "\(field).id", code: "duplicate", message: "choice id '\(id)' is used twice")
            }
            guard titles.insert(title.lowercased()).inserted else {
                throw ValidationError(field: "\(field).title", code: "duplicate", message: "choice title '\(title)' is used twice")
            }
            return ReplyChoice(id: id, title: title)
        }
    }

    private static func validImageURL(_ raw: String) throws -> String {
        let url = raw.trimmingWhitespace()
        let rest = url.lowercased().hasPrefix("https://") ? url.dropFirst("https://".count) : nil
        let host = rest?.prefix { $0 != "/" && $0 != "?" && $0 != "#" } ?? ""
        let clean = !url.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
        guard let rest, !host.isEmpty, !host.hasPrefix("@"), !rest.isEmpty, clean, url.count <= maxURLLength else {
            throw ValidationError(
                field: "image.url",
                message: "image.url must be a public https:// URL of at most \(maxURLLength) characters (providers fetch it themselves)")
        }
        return url
    }

    private static func validLocation(_ location: ReplyLocation) throws -> ReplyLocation {
        ReplyLocation(
            latitude: try Validate.range(location.latitude, -90...90, field: "location.latitude"),
            longitude: try Validate.range(location.longitude, -180...180, field: "location.longitude"),
            name: try Validate.optionalText(location.name, field: "location.name", maxLength: 100),
            address: try Validate.optionalText(location.address, field: "location.address", maxLength: 300))
    }
}

/// One option of a reply: `id` comes back when the member picks it, `title` is what they see.
public struct ReplyChoice: Sendable, Equatable, Codable {
    /// A stable id flows and integrations match on, e.g. `job42:accept`.
    public let id: String
    /// What the member sees.
    public let title: String

    /// Creates a choice.
    public init(id: String, title: String) {
        self.id = id
        self.title = title
    }
}

/// A place sent in a reply.
public struct ReplyLocation: Sendable, Equatable, Codable {
    /// Degrees north, −90…90.
    public let latitude: Double
    /// Degrees east, −180…180.
    public let longitude: Double
    /// A place name, e.g. "Store 112".
    public let name: String?
    /// A street address.
    public let address: String?

    /// Creates a location.
    public init(latitude: Double, longitude: Double, name: String? = nil, address: String? = nil) {
        self.latitude = latitude
        self.longitude = longitude
        self.name = name
        self.address = address
    }
}
