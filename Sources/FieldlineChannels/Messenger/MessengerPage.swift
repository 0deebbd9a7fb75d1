/// The credentials and settings of one Facebook Page, as an adapter holds them.
public struct MessengerPage: Sendable, Equatable {
    /// How choices are shown when both forms can hold them.
    public enum ChoiceStyle: Sendable, Equatable {
        /// Quick replies (up to 13); they disappear once the member answers.
        case quickReplies
        /// A button template (up to 3 postback buttons) that stays in the thread; more choices fall back to quick replies.
        case buttons
    }

    /// The Graph API version in paths, e.g. `v25.0`.
    public var apiVersion: String
    /// The Page id that sends.
    public var pageID: String
    /// The Page access token, sent as `?access_token=` as Meta documents (redact paths before logging).
    public var pageAccessToken: String
    /// How choices are shown.
    public var choiceStyle: ChoiceStyle
    /// The text of a choices message when the outbound message has no text.
    public var choicePrompt: String

    /// Creates a page description.
    public init(
        apiVersion: String = "v25.0", pageID: String, pageAccessToken: String,
        choiceStyle: ChoiceStyle = .quickReplies, choicePrompt: String = "Please choose:"
    ) {
        self.apiVersion = apiVersion
        self.pageID = pageID
        self.pageAccessToken = pageAccessToken
        self.choiceStyle = choiceStyle
        self.choicePrompt = choicePrompt
    }

    /// `POST` path of the Send API, token included.
    var messagesPath: String {
        "/\(apiVersion)/\(FormEncoding.escapeComponent(pageID))/messages?access_token=\(FormEncoding.escapeComponent(pageAccessToken))"
    }
}

/// Messenger's `messaging_type` (https://developers.facebook.com/docs/messenger-platform/reference/send-api/,
/// https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags).
public enum MessengerMessagingType: Sendable, Equatable {
    /// A reply inside the standard messaging window.
    case response
    /// A proactive update inside the window.
    case update
    /// Outside the window, with a message tag such as `HUMAN_AGENT`.
    case messageTag(String)
}
