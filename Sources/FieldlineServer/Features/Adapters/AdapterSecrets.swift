import FieldlineChannels

/// The credentials of one provider account as they are sealed in the database (this JSON shape
/// is what is stored: keep its keys). The provider's `ProviderAdapter` says which API fields
/// an account needs and what each becomes.
struct AdapterSecrets: Codable, Sendable, Equatable {
    /// WhatsApp / Messenger: the Graph API token; Telegram: the bot token; Twilio: the auth token.
    var accessToken: String
    /// WhatsApp / Messenger: the app secret for `X-Hub-Signature-256`; Telegram: the webhook secret token.
    var signingSecret: String
    /// WhatsApp / Messenger: the token Meta echoes in the `hub.challenge` handshake.
    var verifyToken: String?
    /// Twilio: the account SID.
    var accountSID: String?

    /// Builds the secrets from the API's `credentials` object for `provider`.
    init(provider: ChannelProvider, fields: [String: String]) throws {
        self.init(try AccountCredentials(fields: fields, for: provider.adapter))
    }

    /// The sealed form of opened credentials.
    init(_ credentials: AccountCredentials) {
        self.init(accessToken: credentials.accessToken, signingSecret: credentials.signingSecret,
                  verifyToken: credentials.verifyToken, accountSID: credentials.accountSID)
    }

    init(accessToken: String, signingSecret: String, verifyToken: String?, accountSID: String?) {
        self.accessToken = accessToken
        self.signingSecret = signingSecret
        self.verifyToken = verifyToken
        self.accountSID = accountSID
    }

    /// The credentials as provider adapters read them.
    var credentials: AccountCredentials {
        AccountCredentials(accessToken: accessToken, signingSecret: signingSecret, verifyToken: verifyToken, accountSID: accountSID)
    }
}
