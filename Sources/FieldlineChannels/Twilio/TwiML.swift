/// TwiML replies to Twilio's inbound-message webhook (https://www.twilio.com/docs/messaging/twiml),
/// byte for byte as the official helper library writes them. Serve with `Content-Type: text/xml`.
public enum TwiML {
    /// One `<Message>` verb: a body and optional media URLs.
    public struct Message: Sendable, Equatable {
        /// The text of the reply.
        public var body: String
        /// Media to attach (MMS), as public URLs.
        public var mediaURLs: [String]

        /// Creates a message verb.
        public init(body: String, mediaURLs: [String] = []) {
            self.body = body
            self.mediaURLs = mediaURLs
        }
    }

    /// The `<Response>` document; with no messages it acknowledges without replying, which is what
    /// Fieldline answers when the real reply goes out later through the REST API.
    public static func messagingResponse(_ messages: [Message] = []) -> String {
        let declaration = #"<?xml version="1.0" encoding="UTF-8"?>"#
        guard !messages.isEmpty else { return declaration + "<Response />" }
        let verbs = messages.map { message in
            "<Message>" + escape(message.body)
                + message.mediaURLs.map { "<Media>\(escape($0))</Media>" }.joined() + "</Message>"
        }
        return declaration + "<Response>" + verbs.joined() + "</Response>"
    }

    /// Escapes XML text content.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }
}
