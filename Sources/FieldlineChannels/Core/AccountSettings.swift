import FieldlineDomain

/// The opened credentials of one adapter account, by what they are used for.
public struct AccountCredentials: Sendable, Equatable {
    /// WhatsApp / Messenger: the Graph API token; Telegram: the bot token; Twilio: the auth token.
    public var accessToken: String
    /// What webhooks are checked with: Meta's app secret, Telegram's secret token, Twilio's auth token.
    public var signingSecret: String
    /// Meta: the token echoed in the `hub.challenge` handshake.
    public var verifyToken: String?
    /// Twilio: the account SID.
    public var accountSID: String?

    /// Creates credentials.
    public init(accessToken: String, signingSecret: String, verifyToken: String? = nil, accountSID: String? = nil) {
        self.accessToken = accessToken
        self.signingSecret = signingSecret
        self.verifyToken = verifyToken
        self.accountSID = accountSID
    }
}

/// Everything a `ProviderAdapter` reads of one adapter account: its credentials and its
/// non-secret `config` (e.g. `phone_number_id`, `page_id`).
public struct AccountSettings: Sendable, Equatable {
    /// The opened credentials.
    public var credentials: AccountCredentials
    /// The adapter's config, by the API's key names.
    public var config: [String: String]

    /// Creates settings.
    public init(credentials: AccountCredentials, config: [String: String] = [:]) {
        self.credentials = credentials
        self.config = config
    }

    /// The config value `key`, or `RenderError.misconfigured` naming it for `provider`.
    func required(_ key: String, for provider: ChannelProvider) throws(RenderError) -> String {
        guard let value = config[key] else { throw .misconfigured(provider, "config.\(key) is not set") }
        return value
    }
}

/// Which of `AccountCredentials` a credential field fills.
public enum CredentialSetting: Sendable, Hashable {
    /// `AccountCredentials.accessToken`.
    case accessToken
    /// `AccountCredentials.signingSecret`.
    case signingSecret
    /// `AccountCredentials.verifyToken`.
    case verifyToken
    /// `AccountCredentials.accountSID`.
    case accountSID
}

/// One credential a provider needs, as the API names it (`credentials.<name>`), and what it becomes.
public struct CredentialField: Sendable {
    /// The API's name, e.g. `app_secret`.
    public var name: String
    /// The settings it fills (Twilio's auth token is both the access token and the signing secret).
    public var settings: [CredentialSetting]
    /// A format the value must have, with the sentence that says so; nil: any text.
    public var format: (message: String, accepts: @Sendable (String) -> Bool)?

    /// Creates a field.
    public init(
        _ name: String, becomes settings: [CredentialSetting],
        format: (message: String, accepts: @Sendable (String) -> Bool)? = nil
    ) {
        self.name = name
        self.settings = settings
        self.format = format
    }
}

extension AccountCredentials {
    /// Reads the API's `credentials` object for `adapter`: every field it needs (1–1000
    /// characters, trimmed, in its format) and nothing else.
    public init(fields: [String: String], for adapter: any ProviderAdapter) throws(ValidationError) {
        let allowed = Set(adapter.credentialFields.map(\.name))
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ValidationError(field: "credentials.\(unknown)", code: "unknown_field",
                                  message: "\(adapter.provider.rawValue) credentials take: \(allowed.sorted().joined(separator: ", "))")
        }
        var values: [CredentialSetting: String] = [:]
        for field in adapter.credentialFields {
            guard let value = fields[field.name]?.trimmingWhitespace(), !value.isEmpty, value.count <= 1000 else {
                throw ValidationError(field: "credentials.\(field.name)", code: "missing_field", message: "credentials.\(field.name) is required")
            }
            if let format = field.format, !format.accepts(value) {
                throw ValidationError(field: "credentials.\(field.name)", message: format.message)
            }
            for setting in field.settings { values[setting] = value }
        }
        self.init(
            accessToken: values[.accessToken] ?? "", signingSecret: values[.signingSecret] ?? "",
            verifyToken: values[.verifyToken], accountSID: values[.accountSID])
    }
}
