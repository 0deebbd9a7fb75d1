import FieldlineChannels
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

/// One adapter of each provider, and signed inbound webhooks for them, for outbound tests.
enum ProviderTestSupport {
    static let messengerSecret = "messenger-app-secret"
    static let twilioToken = "twilio-token"
    static let telegramSecret = "tg_secret-1"

    /// Every provider's API on the fake provider, with a fast outbox.
    static func configure(_ baseURL: String) -> (inout AppConfig) -> Void {
        { config in
            config.providerURLs = ProviderURLs(whatsapp: baseURL, telegram: baseURL, twilio: baseURL, messenger: baseURL)
            config.outboxPollInterval = .milliseconds(20)
            config.outboxMaxAttempts = 3
        }
    }

    /// Creates an adapter of `provider` (with `extraConfig` added to its config) and returns its webhook path.
    static func adapter(_ admin: APICaller, _ provider: String, extraConfig: String = "") async throws -> String {
        let extra = extraConfig.isEmpty ? "" : ",\(extraConfig)"
        let body = switch provider {
        case "whatsapp": #"{"provider":"whatsapp","name":"WA","credentials":{"access_token":"wa-token","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"},"config":{"phone_number_id":"106540352242922"\#(extra)}}"#
        case "telegram": #"{"provider":"telegram","name":"TG","credentials":{"bot_token":"123:abc","secret_token":"\#(telegramSecret)"}}"#
        case "sms": #"{"provider":"sms","name":"SMS","credentials":{"account_sid":"AC123","auth_token":"\#(twilioToken)"},"config":{"phone_number":"+34900000000"}}"#
        default: #"{"provider":"messenger","name":"FB","credentials":{"access_token":"page-token","app_secret":"\#(messengerSecret)","verify_token":"v"},"config":{"page_id":"682498302938465"\#(extra)}}"#
        }
        let created = try await admin.post("/v1/adapters", body)
        #expect(created.status == .created, "\(created.text)")
        return "/v1/hooks/\(provider)/\(try #require(created.json["id"].string).lowercased())"
    }

    /// Posts a signed inbound text from the provider's test member and expects a 200.
    static func inbound(_ client: any TestClientProtocol, _ provider: String, _ hook: String, id: String, text: String) async throws {
        let response: TestResponse
        switch provider {
        case "whatsapp":
            response = try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: id, text: text))
        case "telegram":
            let messageID = Int(id.filter(\.isNumber)) ?? 1
            let update = #"{"update_id":\#(messageID),"message":{"date":1441645532,"chat":{"id":1111111,"first_name":"Ana"},"message_id":\#(messageID),"from":{"id":1111111,"first_name":"Ana"},"text":"\#(text)"}}"#
            response = try await client.execute(
                uri: hook, method: .post, headers: [.contentType: "application/json", .telegramSecretToken: telegramSecret],
                body: ByteBuffer(string: update)) { $0 }
        case "sms":
            let fields = [FormField("MessageSid", id), FormField("From", "+34600111222"), FormField("To", "+34900000000"),
                          FormField("Body", text), FormField("NumMedia", "0")]
            let signature = TwilioSignature.sign(url: "http://localhost:8080" + hook, parameters: fields, authToken: twilioToken)
            response = try await client.execute(
                uri: hook, method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name(TwilioSignature.headerName)!: signature],
                body: ByteBuffer(bytes: FormEncoding.encode(fields))) { $0 }
        default:
            let event = #"{"object":"page","entry":[{"id":"682498302938465","time":1518479195594,"messaging":[{"sender":{"id":"PSID1"},"recipient":{"id":"682498302938465"},"timestamp":1518479195308,"message":{"mid":"\#(id)","text":"\#(text)"}}]}]}"#
            response = try await WebhookTests.postSigned(client, hook, event, secret: messengerSecret)
        }
        #expect(response.status == .ok, "\(provider) inbound answered \(response.status)")
    }

    /// The one conversation of the tenant.
    static func conversation(_ admin: APICaller) async throws -> String {
        try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
    }

    /// A message of `conversation` by id.
    static func message(_ admin: APICaller, _ conversation: String, _ id: String) async throws -> JSON? {
        try await admin.get("/v1/conversations/\(conversation)/messages?limit=100").json["data"].array.first { $0["id"].string == id }
    }

    /// The JSON body of a recorded request.
    static func body(_ request: RecordedRequest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
    }

    /// Moves every inbound message of the tenant `hours` into the past, closing the service window.
    static func age(inbound hours: Int, tenant: UUID, _ fixtures: Fixtures) async throws {
        try await fixtures.database.withTenant(tenant) { connection in
            try await connection.query(
                "UPDATE messages SET created_at = now() - \(Double(hours)) * interval '1 hour' WHERE tenant_id = \(tenant) AND direction = 'inbound'",
                logger: fixtures.database.logger)
        }
    }
}
