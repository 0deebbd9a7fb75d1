/// The credentials and settings of one WhatsApp Cloud API phone number, as an adapter holds them.
public struct WhatsAppAccount: Sendable, Equatable {
    /// The Graph API version in paths, e.g. `v23.0`.
    public var apiVersion: String
    /// The phone-number id that sends (from `value.metadata.phone_number_id`).
    public var phoneNumberID: String
    /// The system-user access token, sent as `Authorization: Bearer`.
    public var accessToken: String
    /// The label of the button that opens a list message (at most 20 characters).
    public var listButtonLabel: String
    /// The body text of a buttons or list message when the outbound message has no text.
    public var choicePrompt: String

    /// Creates an account description.
    public init(
        apiVersion: String = "v23.0", phoneNumberID: String, accessToken: String,
        listButtonLabel: String = "Choose", choicePrompt: String = "Please choose:"
    ) {
        self.apiVersion = apiVersion
        self.phoneNumberID = phoneNumberID
        self.accessToken = accessToken
        self.listButtonLabel = listButtonLabel
        self.choicePrompt = choicePrompt
    }

    /// `POST` path of the messages endpoint.
    var messagesPath: String {
        "/\(apiVersion)/\(FormEncoding.escapeComponent(phoneNumberID))/messages"
    }

    /// The bearer-token header.
    var authorization: ProviderRequest.Header { .init("Authorization", "Bearer \(accessToken)") }
}
