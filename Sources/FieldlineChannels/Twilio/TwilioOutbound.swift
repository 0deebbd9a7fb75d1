import Foundation

/// The credentials of one Twilio number, as an adapter holds them.
public struct TwilioAccount: Sendable, Equatable {
    /// The account SID (`AC…`).
    public var accountSID: String
    /// The auth token (REST basic-auth password and webhook signing key).
    public var authToken: String
    /// The sending number in E.164; ignored when `messagingServiceSID` is set.
    public var from: String?
    /// A Messaging Service (`MG…`) to send through instead of a single number.
    public var messagingServiceSID: String?
    /// Where Twilio posts delivery status callbacks for our messages.
    public var statusCallbackURL: String?

    /// Creates an account description.
    public init(
        accountSID: String, authToken: String, from: String? = nil, messagingServiceSID: String? = nil,
        statusCallbackURL: String? = nil
    ) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
        self.messagingServiceSID = messagingServiceSID
        self.statusCallbackURL = statusCallbackURL
    }
}

/// Renders outbound messages as Twilio REST `Messages.json` requests
/// (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
///
/// SMS has no widgets: choices become "1) Accept" lines (read back with `NumberedChoices.match`),
/// a location becomes its name, address and a map link, and an image becomes MMS `MediaUrl`.
public enum TwilioOutbound {
    /// The requests that deliver `message` to `recipient` (E.164), in order; bodies over 1600
    /// characters are split, and the image goes with the first.
    public static func render(
        _ message: OutboundMessage, to recipient: String, account: TwilioAccount
    ) throws(RenderError) -> [ProviderRequest] {
        try message.validate()
        guard !recipient.isEmpty else { throw .invalidRecipient(.sms, recipient) }
        var mediaURL: String?
        if let image = message.image {
            guard let url = image.url else { throw .imageNeedsURL(.sms) }
            mediaURL = url
        }
        let text = [message.textWithNumberedChoices, message.location?.fallbackText ?? ""]
            .filter { !$0.isEmpty }.joined(separator: "\n\n")
        var pieces = TextChunks.split(text, limit: Capabilities.sms.maxTextLength).filter { !$0.isEmpty }
        if pieces.isEmpty { pieces = [""] }
        let credentials = Data("\(account.accountSID):\(account.authToken)".utf8).base64EncodedString()
        let path = "/2010-04-01/Accounts/\(FormEncoding.escapeComponent(account.accountSID))/Messages.json"
        return pieces.enumerated().map { index, piece in
            var fields = [FormField("To", recipient)]
            if let service = account.messagingServiceSID {
                fields.append(FormField("MessagingServiceSid", service))
            } else if let from = account.from {
                fields.append(FormField("From", from))
            }
            if !piece.isEmpty { fields.append(FormField("Body", piece)) }
            if index == 0, let mediaURL { fields.append(FormField("MediaUrl", mediaURL)) }
            if let callback = account.statusCallbackURL { fields.append(FormField("StatusCallback", callback)) }
            return ProviderRequest(
                method: "POST", path: path,
                headers: [.init("Authorization", "Basic \(credentials)"),
                          .init("Content-Type", "application/x-www-form-urlencoded")],
                body: FormEncoding.encode(fields))
        }
    }

    /// Reads a `Messages.json` response and returns the new message's SID (to match status callbacks).
    public static func parseSendResponse(_ body: some Collection<UInt8>) throws(ChannelParseError) -> String {
        let root = try JSONValue.parse(body, provider: .sms)
        guard let sid = root["sid"]?.string else {
            throw .unexpectedPayload(provider: .sms, detail: "a send response needs sid")
        }
        return sid
    }
}
