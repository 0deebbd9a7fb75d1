import FieldlineChannels
import FieldlineDomain
import Testing

/// What every provider answers through `ProviderAdapter`: the table, credentials, webhook answers
/// and the errors that are the same everywhere.
@Suite("Provider adapters")
struct ProviderAdapterTests {
    @Test("the table names one adapter per provider, which speaks that provider with its capabilities")
    func registry() {
        #expect(ChannelProvider.adapters.map(\.provider) == ChannelProvider.allCases)
        #expect(Capabilities.of(.whatsapp) == .whatsapp)
        #expect(Capabilities.of(.telegram) == .telegram)
        #expect(Capabilities.of(.sms) == .sms)
        #expect(Capabilities.of(.messenger) == .messenger)
        #expect(Capabilities.of(.sandbox) == .sandbox)
        #expect(ProviderAdapterTests.apiHosts == ChannelProvider.adapters.map { "\($0.apiBaseURLVariable)=\($0.defaultAPIBaseURL)" })
    }

    static let apiHosts = [
        "WHATSAPP_API_URL=https://graph.facebook.com", "TELEGRAM_API_URL=https://api.telegram.org",
        "TWILIO_API_URL=https://api.twilio.com", "MESSENGER_API_URL=https://graph.facebook.com",
        "SANDBOX_API_URL=http://sandbox.invalid",
    ]

    @Test("each provider requires its credentials as the API names them, and says what each becomes", arguments: [
        (ChannelProvider.whatsapp, ["access_token": [CredentialSetting.accessToken], "app_secret": [.signingSecret], "verify_token": [.verifyToken]]),
        (.messenger, ["access_token": [.accessToken], "app_secret": [.signingSecret], "verify_token": [.verifyToken]]),
        (.telegram, ["bot_token": [.accessToken], "secret_token": [.signingSecret]]),
        (.sms, ["account_sid": [.accountSID], "auth_token": [.accessToken, .signingSecret]]),
        (.sandbox, ["secret": [.accessToken, .signingSecret]]),
    ])
    func requiredCredentials(provider: ChannelProvider, expected: [String: [CredentialSetting]]) {
        let fields = provider.adapter.credentialFields
        #expect(Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.settings) }) == expected)
        // Every account can be verified and can send.
        #expect(fields.contains { $0.settings.contains(.accessToken) })
        #expect(fields.contains { $0.settings.contains(.signingSecret) })
    }

    @Test("credentials from the API: trimmed, mapped to settings; Twilio's auth token both signs and sends")
    func credentialsFromFields() throws {
        let twilio = try AccountCredentials(fields: ["account_sid": " AC1 ", "auth_token": "tok"], for: TwilioAdapter())
        #expect(twilio == AccountCredentials(accessToken: "tok", signingSecret: "tok", accountSID: "AC1"))
        let meta = try AccountCredentials(fields: ["access_token": "EAAG", "app_secret": "s", "verify_token": "v"], for: MessengerAdapter())
        #expect(meta == AccountCredentials(accessToken: "EAAG", signingSecret: "s", verifyToken: "v"))
    }

    @Test("credentials from the API: an unknown, missing, overlong or malformed field is a 422 naming it")
    func credentialErrors() {
        func error(_ fields: [String: String], _ adapter: any ProviderAdapter) -> ValidationError? {
            do {
                _ = try AccountCredentials(fields: fields, for: adapter)
                return nil
            } catch {
                return error
            }
        }
        let unknown = error(["account_sid": "AC1", "auth_token": "t", "pin": "1"], TwilioAdapter())
        #expect(unknown == ValidationError(field: "credentials.pin", code: "unknown_field", message: "sms credentials take: account_sid, auth_token"))
        #expect(error(["account_sid": "AC1", "auth_token": "  "], TwilioAdapter())?.field == "credentials.auth_token")
        #expect(error(["bot_token": String(repeating: "a", count: 1001), "secret_token": "ok"], TelegramAdapter())?.code == "missing_field")
        #expect(error(["bot_token": "1:a", "secret_token": "not ok!"], TelegramAdapter())
            == ValidationError(field: "credentials.secret_token", message: "secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -"))
    }

    @Test("the webhook answer: TwiML for Twilio, the count as JSON elsewhere")
    func webhookAnswers() {
        #expect(TwilioAdapter().webhookAnswer(eventCount: 2) == WebhookAnswer(
            contentType: "text/xml", body: #"<?xml version="1.0" encoding="UTF-8"?><Response />"#))
        for adapter in [WhatsAppAdapter(), TelegramAdapter(), MessengerAdapter()] as [any ProviderAdapter] {
            #expect(adapter.webhookAnswer(eventCount: 2) == WebhookAnswer(contentType: "application/json", body: #"{"received":2}"#))
        }
    }

    @Test("only Meta's providers have a handshake; Telegram and Twilio webhooks are POST only")
    func handshakes() throws {
        let vector = try #require(Vectors.of(.metaVerifyHandshake).first)
        let query = (vector.inputs["query"]?.members ?? [:]).compactMapValues(\.string)
        let token = try #require(vector.inputs["configured_verify_token"]?.string)
        let challenge = try #require(vector.expected["body"]?.string)
        let account = AccountSettings(credentials: AccountCredentials(accessToken: "t", signingSecret: "s", verifyToken: token))
        for adapter in [WhatsAppAdapter(), MessengerAdapter()] as [any ProviderAdapter] {
            #expect(adapter.handshake(query: query, account: account) == .accept(body: challenge))
            var wrong = account
            wrong.credentials.verifyToken = token + "x"
            #expect(adapter.handshake(query: query, account: wrong) == .reject(reason: "hub.verify_token does not match"))
            wrong.credentials.verifyToken = nil
            #expect(adapter.handshake(query: query, account: wrong) == .unsupported)
        }
        #expect(TelegramAdapter().handshake(query: query, account: account) == .unsupported)
        #expect(TwilioAdapter().handshake(query: query, account: account) == .unsupported)
    }

    @Test("templates exist only on WhatsApp; elsewhere rendering one is refused")
    func templatesElsewhere() {
        let account = AccountSettings(credentials: AccountCredentials(accessToken: "t", signingSecret: "s", accountSID: "AC1"),
                                      config: ["phone_number": "+34900000000", "page_id": "1"])
        for provider in [ChannelProvider.telegram, .sms, .messenger, .sandbox] {
            #expect(throws: RenderError.templatesUnsupported(provider)) {
                try provider.adapter.renderTemplate(MessageTemplate(name: "hello_world", languageCode: "en_US"), to: "1", account: account)
            }
            #expect(provider.adapter.reengagementTemplate(AccountSettings(
                credentials: account.credentials, config: ["reengagement_template": "x", "reengagement_template_language": "es"])) == nil)
        }
    }
}
