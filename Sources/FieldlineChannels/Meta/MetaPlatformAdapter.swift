/// What WhatsApp and Messenger share as Meta platforms: the Graph API host, the credentials, the
/// `X-Hub-Signature-256` check and the `hub.challenge` handshake.
public protocol MetaPlatformAdapter: ProviderAdapter {}

extension MetaPlatformAdapter {
    /// `access_token`, `app_secret` (signs webhooks) and `verify_token` (the handshake).
    public var credentialFields: [CredentialField] {
        [
            CredentialField("access_token", becomes: [.accessToken]),
            CredentialField("app_secret", becomes: [.signingSecret]),
            CredentialField("verify_token", becomes: [.verifyToken]),
        ]
    }

    /// Meta's Graph API.
    public var defaultAPIBaseURL: String { "https://graph.facebook.com" }

    /// `X-Hub-Signature-256` with the account's app secret.
    public func verify(_ webhook: InboundWebhook, account: AccountSettings) throws(SignatureError) {
        try HubSignature.verify(
            rawBody: webhook.body, header: webhook.header(HubSignature.headerName), appSecret: account.credentials.signingSecret)
    }

    /// Echoes `hub.challenge` when the verify token matches; no handshake without a verify token.
    public func handshake(query: [String: String], account: AccountSettings) -> WebhookHandshake {
        guard let token = account.credentials.verifyToken else { return .unsupported }
        switch HubChallenge.decide(query: query, verifyToken: token) {
        case .accept(let challenge): return .accept(body: challenge)
        case .reject(let reason): return .reject(reason: reason)
        }
    }
}
