import FieldlineChannels
import FieldlineDomain

/// The non-secret adapter settings Fieldline itself reads; other keys are kept as given.
enum AdapterConfigKey {
    /// WhatsApp: the approved template sent when the 24-hour window is closed, e.g. `reply_waiting`.
    static let reengagementTemplate = WhatsAppAdapter.reengagementTemplateKey
    /// WhatsApp: the language that template was approved in, e.g. `en_US` or `es`.
    static let reengagementTemplateLanguage = WhatsAppAdapter.reengagementTemplateLanguageKey

    /// WhatsApp: the approved template a dispatch offer goes out as when the 24-hour window is
    /// closed, with four body parameters (order number, title, address, time window) and two
    /// quick-reply buttons (Accept, Decline), e.g. `job_offer` (docs/dispatch.md).
    static let offerTemplate = WhatsAppAdapter.offerTemplateKey
    /// WhatsApp: the language that template was approved in.
    static let offerTemplateLanguage = WhatsAppAdapter.offerTemplateLanguageKey

    /// Messenger: `true` lets people's replies go out with the `HUMAN_AGENT` tag for 7 days
    /// after the member's last message (the page needs Meta's Human Agent permission).
    static let humanAgentTag = MessengerAdapter.humanAgentTagKey

    /// Refuses settings that could only fail later, when a message is sent.
    static func validate(_ config: [String: String], provider: ChannelProvider) throws {
        if let tag = config[humanAgentTag] {
            guard provider == .messenger else {
                throw ValidationError(field: "config.\(humanAgentTag)", message: "the HUMAN_AGENT tag exists only on Messenger")
            }
            guard tag == "true" || tag == "false" else {
                throw ValidationError(field: "config.\(humanAgentTag)", message: "config.\(humanAgentTag) must be \"true\" or \"false\"")
            }
        }
        try validateTemplate(config, name: reengagementTemplate, language: reengagementTemplateLanguage, provider: provider)
        try validateTemplate(config, name: offerTemplate, language: offerTemplateLanguage, provider: provider)
    }

    /// A template setting: both keys or neither, on WhatsApp only, a template name and a language code.
    private static func validateTemplate(_ config: [String: String], name nameKey: String, language languageKey: String, provider: ChannelProvider) throws {
        let name = config[nameKey]
        let language = config[languageKey]
        guard name != nil || language != nil else { return }
        guard provider == .whatsapp else {
            throw ValidationError(field: "config.\(name != nil ? nameKey : languageKey)", message: "approved templates exist only on WhatsApp")
        }
        guard let name, !name.isEmpty, name.count <= 512,
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
        else {
            throw ValidationError(field: "config.\(nameKey)",
                                  message: "config.\(nameKey) must be the approved template's name: lowercase letters, digits and '_'")
        }
        guard let language, isLanguageCode(language) else {
            throw ValidationError(field: "config.\(languageKey)",
                                  message: "config.\(languageKey) must be the template's language code, e.g. en_US or es")
        }
    }

    /// `es`, `fil`, `en_US`, `zh_HK`: WhatsApp's template language codes.
    private static func isLanguageCode(_ code: String) -> Bool {
        let parts = code.split(separator: "_", omittingEmptySubsequences: false)
        guard let language = parts.first, (2...3).contains(language.count),
              language.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) }) else { return false }
        if parts.count == 1 { return true }
        return parts.count == 2 && parts[1].count == 2 && parts[1].unicodeScalars.allSatisfy { ("A"..."Z").contains($0) }
    }
}
