/// A messaging provider that Fieldline speaks to; the raw values are the words used in the API and SQL.
public enum ChannelProvider: String, Sendable, Codable, CaseIterable {
    /// WhatsApp Business Cloud API (Meta).
    case whatsapp
    /// Telegram Bot API.
    case telegram
    /// SMS/MMS through Twilio Programmable Messaging.
    case sms
    /// Facebook Messenger Platform.
    case messenger
    /// The sandbox phone, played in a browser (`GET /sandbox`); served by Fieldline itself.
    case sandbox
}
