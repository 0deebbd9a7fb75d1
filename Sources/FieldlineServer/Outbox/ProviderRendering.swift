import FieldlineChannels
import Foundation

/// Renders a message for the adapter's provider and reads back the provider's message id.
enum ProviderRendering {
    /// The requests that deliver `message` to `recipient` through `account`; `messengerTag` sends
    /// a Messenger message as `MESSAGE_TAG` with that tag (outside the standard window).
    static func requests(
        _ message: OutboundMessage, to recipient: String, account: AdapterAccount, messengerTag: String? = nil
    ) throws -> [ProviderRequest] {
        let secrets = account.secrets
        let config = account.adapter.config
        switch account.provider {
        case .whatsapp:
            guard let phoneNumberID = config["phone_number_id"] else { throw SendFailure.misconfigured("config.phone_number_id is not set") }
            return try WhatsAppOutbound.render(message, to: recipient, account: WhatsAppAccount(phoneNumberID: phoneNumberID, accessToken: secrets.accessToken))
        case .telegram:
            return try TelegramOutbound.render(message, to: recipient, bot: TelegramBot(token: secrets.accessToken))
        case .sms:
            guard let accountSID = secrets.accountSID else { throw SendFailure.misconfigured("the account SID is missing") }
            guard let from = config["phone_number"] else { throw SendFailure.misconfigured("config.phone_number is not set") }
            return try TwilioOutbound.render(message, to: recipient, account: TwilioAccount(accountSID: accountSID, authToken: secrets.accessToken, from: from))
        case .messenger:
            guard let pageID = config["page_id"] else { throw SendFailure.misconfigured("config.page_id is not set") }
            return try MessengerOutbound.render(
                message, to: recipient, page: MessengerPage(pageID: pageID, pageAccessToken: secrets.accessToken),
                messagingType: messengerTag.map(MessengerMessagingType.messageTag) ?? .response)
        }
    }

    /// The request that sends an approved WhatsApp template through `account`.
    static func templateRequest(_ template: MessageTemplate, to recipient: String, account: AdapterAccount) throws -> ProviderRequest {
        guard account.provider == .whatsapp else { throw SendFailure.permanent("templates exist only on WhatsApp") }
        guard let phoneNumberID = account.adapter.config["phone_number_id"] else { throw SendFailure.misconfigured("config.phone_number_id is not set") }
        let whatsapp = WhatsAppAccount(phoneNumberID: phoneNumberID, accessToken: account.secrets.accessToken)
        return WhatsAppOutbound.renderTemplate(template, to: recipient, account: whatsapp)
    }

    /// The approved template a WhatsApp adapter sends when the service window is closed
    /// (`config.reengagement_template` and `config.reengagement_template_language`), if any.
    static func reengagementTemplate(_ account: AdapterAccount) -> MessageTemplate? {
        let config = account.adapter.config
        guard account.provider == .whatsapp, let name = config[AdapterConfigKey.reengagementTemplate],
              let language = config[AdapterConfigKey.reengagementTemplateLanguage] else { return nil }
        return MessageTemplate(name: name, languageCode: language)
    }

    /// Whether a Messenger page may send people's replies with the `HUMAN_AGENT` tag
    /// (`config.human_agent_tag` = `true`, once Meta granted the page that permission).
    static func usesHumanAgentTag(_ account: AdapterAccount) -> Bool {
        account.provider == .messenger && account.adapter.config[AdapterConfigKey.humanAgentTag] == "true"
    }

    /// The provider's id for what it accepted, so its delivery reports find our message.
    static func providerMessageID(_ body: [UInt8], provider: ChannelProvider, recipient: String) throws -> String {
        switch provider {
        case .whatsapp: return try WhatsAppOutbound.parseSendResponse(body)
        case .messenger: return try MessengerOutbound.parseSendResponse(body)
        case .sms: return try TwilioOutbound.parseSendResponse(body)
        case .telegram:
            // Telegram ids are unique per chat; inbound ids use the same "<chat>:<message_id>" form.
            let root = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            guard let result = root?["result"] as? [String: Any], let id = result["message_id"] as? Int else {
                throw SendFailure.permanent("Telegram's answer has no result.message_id")
            }
            return "\(recipient):\(id)"
        }
    }

    /// The base URL requests for `provider` go to.
    static func baseURL(_ provider: ChannelProvider, _ urls: ProviderURLs) -> String {
        switch provider {
        case .whatsapp: urls.whatsapp
        case .telegram: urls.telegram
        case .sms: urls.twilio
        case .messenger: urls.messenger
        }
    }
}

/// Why a send did not go through.
enum SendFailure: Error, CustomStringConvertible {
    /// Worth trying again (429, 5xx, timeouts, connection errors).
    case transient(String, retryAfter: Int?)
    /// Trying again will not help (4xx, a refused render); the message is marked failed.
    case permanent(String)
    /// The adapter lacks a setting; fixing it and replaying the message will help.
    case misconfigured(String)

    var description: String {
        switch self {
        case .transient(let reason, _): reason
        case .permanent(let reason): reason
        case .misconfigured(let reason): "adapter misconfigured: \(reason)"
        }
    }
}
