import FieldlineChannels
import FieldlineDomain
import Foundation

/// The secret and non-secret settings of one provider account, validated per provider.
struct AdapterSecrets: Codable, Sendable, Equatable {
    /// WhatsApp / Messenger: the Graph API token; Telegram: the bot token; Twilio: the auth token.
    var accessToken: String
    /// WhatsApp / Messenger: the app secret for `X-Hub-Signature-256`; Telegram: the webhook secret token.
    var signingSecret: String
    /// WhatsApp / Messenger: the token Meta echoes in the `hub.challenge` handshake.
    var verifyToken: String?
    /// Twilio: the account SID.
    var accountSID: String?

    /// The fields each provider needs, as the API names them.
    static func required(for provider: ChannelProvider) -> [String] {
        switch provider {
        case .whatsapp, .messenger: ["access_token", "app_secret", "verify_token"]
        case .telegram: ["bot_token", "secret_token"]
        case .sms: ["account_sid", "auth_token"]
        }
    }

    /// Builds the secrets from the API's `credentials` object for `provider`.
    init(provider: ChannelProvider, fields: [String: String]) throws {
        let allowed = Set(Self.required(for: provider))
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ValidationError(field: "credentials.\(unknown)", code: "unknown_field",
                                  message: "\(provider.rawValue) credentials take: \(allowed.sorted().joined(separator: ", "))")
        }
        func value(_ name: String) throws -> String {
            guard let value = fields[name]?.trimmingWhitespace(), !value.isEmpty, value.count <= 1000 else {
                throw ValidationError(field: "credentials.\(name)", code: "missing_field", message: "credentials.\(name) is required")
            }
            return value
        }
        switch provider {
        case .whatsapp, .messenger:
            self.init(accessToken: try value("access_token"), signingSecret: try value("app_secret"),
                      verifyToken: try value("verify_token"), accountSID: nil)
        case .telegram:
            let secret = try value("secret_token")
            guard TelegramSecretToken.isWellFormed(secret) else {
                throw ValidationError(field: "credentials.secret_token", message: "secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
            }
            self.init(accessToken: try value("bot_token"), signingSecret: secret, verifyToken: nil, accountSID: nil)
        case .sms:
            self.init(accessToken: try value("auth_token"), signingSecret: try value("auth_token"),
                      verifyToken: nil, accountSID: try value("account_sid"))
        }
    }

    init(accessToken: String, signingSecret: String, verifyToken: String?, accountSID: String?) {
        self.accessToken = accessToken
        self.signingSecret = signingSecret
        self.verifyToken = verifyToken
        self.accountSID = accountSID
    }
}
