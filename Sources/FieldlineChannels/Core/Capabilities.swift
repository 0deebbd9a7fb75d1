/// What a provider can show natively; renderers use it to pick a widget or a text fallback.
public struct Capabilities: Sendable, Equatable {
    /// Most reply buttons in one message (0: none).
    public var maxButtons: Int
    /// Most characters in a button title.
    public var maxButtonTitleLength: Int
    /// Most rows in one list message (0: no lists).
    public var maxListRows: Int
    /// Most characters in a list row title.
    public var maxListRowTitleLength: Int
    /// Most bytes in a choice id the provider carries back (callback data, payload).
    public var maxChoiceIDBytes: Int
    /// Whether images can be sent.
    public var supportsImages: Bool
    /// Whether an image can carry the text as its caption.
    public var supportsCaptions: Bool
    /// Most characters in a caption.
    public var maxCaptionLength: Int
    /// Whether a native location (map pin) message exists.
    public var supportsLocation: Bool
    /// Most characters in one text message; longer text is split.
    public var maxTextLength: Int

    /// WhatsApp Cloud API: 3 reply buttons (20 chars), lists of 10 rows (24 chars), captions of 1024.
    public static let whatsapp = Capabilities(
        maxButtons: 3, maxButtonTitleLength: 20, maxListRows: 10, maxListRowTitleLength: 24,
        maxChoiceIDBytes: 256, supportsImages: true, supportsCaptions: true, maxCaptionLength: 1024,
        supportsLocation: true, maxTextLength: 4096)

    /// Telegram: an inline keyboard (one button per row here, 64-byte callback data), captions of 1024.
    public static let telegram = Capabilities(
        maxButtons: 100, maxButtonTitleLength: 64, maxListRows: 0, maxListRowTitleLength: 0,
        maxChoiceIDBytes: 64, supportsImages: true, supportsCaptions: true, maxCaptionLength: 1024,
        supportsLocation: true, maxTextLength: 4096)

    /// Twilio SMS/MMS: no widgets (numbered text), images as MMS media, no captions, 1600-char bodies.
    public static let sms = Capabilities(
        maxButtons: 0, maxButtonTitleLength: 0, maxListRows: 0, maxListRowTitleLength: 0,
        maxChoiceIDBytes: 0, supportsImages: true, supportsCaptions: false, maxCaptionLength: 0,
        supportsLocation: false, maxTextLength: 1600)

    /// Messenger: 13 quick replies (20 chars), images as attachments without caption, no location.
    public static let messenger = Capabilities(
        maxButtons: 13, maxButtonTitleLength: 20, maxListRows: 0, maxListRowTitleLength: 0,
        maxChoiceIDBytes: 1000, supportsImages: true, supportsCaptions: false, maxCaptionLength: 0,
        supportsLocation: false, maxTextLength: 2000)

    /// The capabilities of `provider` (its adapter's).
    public static func of(_ provider: ChannelProvider) -> Capabilities {
        provider.adapter.capabilities
    }

    /// How `choices` are shown on this provider: the first native widget that holds them all, else text.
    public func choiceRendering(for choices: [Choice]) -> ChoiceRendering {
        guard !choices.isEmpty else { return .none }
        let idsFit = choices.allSatisfy { !$0.id.isEmpty && $0.id.utf8.count <= maxChoiceIDBytes }
        func titlesFit(_ limit: Int) -> Bool { choices.allSatisfy { !$0.title.isEmpty && $0.title.count <= limit } }
        if idsFit, choices.count <= maxButtons, titlesFit(maxButtonTitleLength) { return .buttons }
        if idsFit, choices.count <= maxListRows, titlesFit(maxListRowTitleLength) { return .list }
        return .numberedText
    }
}

/// The widget chosen for a message's choices.
public enum ChoiceRendering: Sendable, Equatable {
    /// The message has no choices.
    case none
    /// Reply buttons, an inline keyboard or quick replies.
    case buttons
    /// A list message (WhatsApp).
    case list
    /// "1) Accept" lines in the text; the answer is read back with `NumberedChoices.match`.
    case numberedText
}
