import FieldlineChannels
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

@Suite("Adapters and inbound webhooks")
struct WebhookTests {
    static let appSecret = "whatsapp-app-secret"

    /// The published WhatsApp text-message webhook (vectors.json #32), built from its fields.
    static func whatsAppText(id: String, from: String = "16505551234", text: String = "Does it come in another color?") -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"\#(from)"}],"messages":[{"from":"\#(from)","id":"\#(id)","timestamp":"1749416383","type":"text","text":{"body":"\#(text)"}}]},"field":"messages"}]}]}"#
    }

    static func createAdapter(_ admin: APICaller, provider: String, credentials: String) async throws -> (id: String, url: String) {
        let created = try await admin.post("/v1/adapters", #"{"provider":"\#(provider)","name":"\#(provider) line","credentials":\#(credentials)}"#)
        #expect(created.status == .created)
        let id = try #require(created.json["id"].string)
        return (id, "/v1/hooks/\(provider)/\(id.lowercased())")
    }

    static func postSigned(_ client: any TestClientProtocol, _ path: String, _ body: String, secret: String = appSecret) async throws -> TestResponse {
        let signature = HubSignature.sign(rawBody: Array(body.utf8), appSecret: secret)
        return try await client.execute(
            uri: path, method: .post,
            headers: [.contentType: "application/json", HTTPField.Name(HubSignature.headerName)!: signature],
            body: ByteBuffer(string: body)) { $0 }
    }

    @Test("credentials are stored encrypted and never returned; the webhook URL is")
    func adapterCredentials() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let created = try await admin.post("/v1/adapters", #"{"provider":"whatsapp","name":"Main line","credentials":{"access_token":"EAAG-very-secret","app_secret":"s3cr3t","verify_token":"meatyhamhock"},"config":{"phone_number_id":"106540352242922"}}"#)
            #expect(created.status == .created)
            #expect(!created.text.contains("EAAG-very-secret") && !created.text.contains("s3cr3t"))
            #expect(created.json["webhook_url"].string?.hasPrefix("http://localhost:8080/v1/hooks/whatsapp/") == true)
            #expect(created.json["config"]["phone_number_id"].string == "106540352242922")
            let stored = try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                try await connection.query("SELECT credentials FROM adapters", logger: fixtures.database.logger).first { try $0.decode(ByteBuffer.self) }
            }
            let bytes = String(decoding: Array(buffer: try #require(stored)), as: UTF8.self)
            #expect(!bytes.contains("EAAG-very-secret"))
            #expect(!(try await admin.get("/v1/adapters").text.contains("EAAG")))

            #expect(try await admin.post("/v1/adapters", #"{"provider":"telegram","name":"Bot","credentials":{"bot_token":"1:x"}}"#).json["error"]["field"].string == "credentials.secret_token")
            #expect(try await admin.post("/v1/adapters", #"{"provider":"fax","name":"X","credentials":{}}"#).json["error"]["field"].string == "provider")
            #expect(try await admin.post("/v1/adapters", #"{"provider":"sms","name":"X","credentials":{"account_sid":"AC1","auth_token":"t","pin":"1"}}"#).json["error"]["code"].string == "unknown_field")
            let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
            #expect(try await agent.get("/v1/adapters").status == .forbidden)
        }
    }

    @Test("a signed WhatsApp webhook becomes a message an agent sees; retries dedupe; bad signatures store nothing")
    func whatsAppInbound() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let hook = try await Self.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"\#(Self.appSecret)","verify_token":"meatyhamhock"}"#)
            let body = Self.whatsAppText(id: "wamid.TEST1")

            let forged = try await Self.postSigned(client, hook.url, body, secret: "not-the-secret")
            #expect(forged.status == .unauthorized)
            #expect(forged.json["error"]["code"].string == "invalid_signature")
            let unsigned = try await client.execute(uri: hook.url, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { $0 }
            #expect(unsigned.status == .unauthorized)
            #expect(try await admin.get("/v1/conversations").json["data"].array.isEmpty)

            #expect(try await Self.postSigned(client, hook.url, body).status == .ok)
            #expect(try await Self.postSigned(client, hook.url, body).status == .ok)
            let conversations = try await admin.get("/v1/conversations").json["data"].array
            try #require(conversations.count == 1)
            let conversation = try #require(conversations[0]["id"].string)
            let messages = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
            #expect(messages.map { $0["text"].string } == ["Does it come in another color?"])
            #expect(messages.first?["provider"].string == "whatsapp")

            // The unknown sender became a member of the unverified-contacts organization, with their name and number.
            let member = try await admin.get("/v1/members?identity_kind=whatsapp&external_id=%2B16505551234").json["data"][0]
            #expect(member["name"].string == "Sheena Nelson")
            #expect(member["phone"].string == "+16505551234")
            let organization = try await admin.get("/v1/organizations/\(try #require(member["organization_id"].string))")
            #expect(organization.json["tags"].array.compactMap(\.string) == ["unverified"])

            let tampered = body.replacingOccurrences(of: "another color", with: "another colour")
            let signature = HubSignature.sign(rawBody: Array(body.utf8), appSecret: Self.appSecret)
            let replay = try await client.execute(uri: hook.url, method: .post,
                headers: [.contentType: "application/json", HTTPField.Name(HubSignature.headerName)!: signature], body: ByteBuffer(string: tampered)) { $0 }
            #expect(replay.status == .unauthorized)
        }
    }

    @Test("Meta's hub.challenge handshake echoes the challenge only for the right verify token")
    func handshake() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let hook = try await Self.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"s","verify_token":"meatyhamhock"}"#)
            let ok = try await client.execute(uri: hook.url + "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock", method: .get) { $0 }
            #expect(ok.status == .ok)
            #expect(ok.text == "1158201444")
            let wrong = try await client.execute(uri: hook.url + "?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope", method: .get) { $0 }
            #expect(wrong.status == .forbidden)
            #expect(try await client.execute(uri: "/v1/hooks/whatsapp/\(UUID())", method: .get) { $0 }.status == .notFound)
            #expect(try await client.execute(uri: hook.url.replacingOccurrences(of: "whatsapp", with: "telegram"), method: .post) { $0 }.status == .notFound)
            // A verify token with spaces, form-encoded as Meta and `urlencode` send it.
            let spaced = try await Self.createAdapter(admin, provider: "whatsapp", credentials: #"{"access_token":"t","app_secret":"s","verify_token":"meaty ham hock"}"#)
            for encoded in ["meaty+ham+hock", "meaty%20ham%20hock"] {
                let form = try await client.execute(uri: spaced.url + "?hub.mode=subscribe&hub.challenge=77&hub.verify_token=\(encoded)", method: .get) { $0 }
                #expect(form.status == .ok, "\(encoded)")
                #expect(form.text == "77")
            }
            // A disabled adapter's webhooks are refused.
            #expect(try await admin.delete("/v1/adapters/\(hook.id)").status == .noContent)
            #expect(try await client.execute(uri: hook.url + "?hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhock", method: .get) { $0 }.status == .notFound)
        }
    }

    @Test("Telegram updates need the secret token; Twilio SMS needs its signature over our public URL")
    func telegramAndTwilio() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let bot = try await Self.createAdapter(admin, provider: "telegram", credentials: #"{"bot_token":"123:abc","secret_token":"tg_secret-1"}"#)
            let update = #"{"update_id":10000,"message":{"date":1441645532,"chat":{"id":1111111,"first_name":"Test"},"message_id":1365,"from":{"id":1111111,"first_name":"Test"},"text":"/start"}}"#
            let noToken = try await client.execute(uri: bot.url, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: update)) { $0 }
            #expect(noToken.status == .unauthorized)
            let accepted = try await client.execute(uri: bot.url, method: .post,
                headers: [.contentType: "application/json", .telegramSecretToken: "tg_secret-1"], body: ByteBuffer(string: update)) { $0 }
            #expect(accepted.status == .ok)
            #expect(try await admin.get("/v1/members?identity_kind=telegram&external_id=1111111").json["data"].array.count == 1)

            let sms = try await Self.createAdapter(admin, provider: "sms", credentials: #"{"account_sid":"AC123","auth_token":"twilio-token"}"#)
            let fields = [FormField("MessageSid", "SM123"), FormField("From", "+34600111222"), FormField("To", "+34900000000"), FormField("Body", "Llego en 10 min"), FormField("NumMedia", "0")]
            let signature = TwilioSignature.sign(url: "http://localhost:8080" + sms.url, parameters: fields, authToken: "twilio-token")
            let form = ByteBuffer(bytes: FormEncoding.encode(fields))
            let signed = try await client.execute(uri: sms.url, method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name(TwilioSignature.headerName)!: signature], body: form) { $0 }
            #expect(signed.status == .ok)
            #expect(signed.headers[.contentType] == "text/xml")
            let badSignature = try await client.execute(uri: sms.url, method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name(TwilioSignature.headerName)!: "AAAAAAAAAAAAAAAAAAAAAAAAAAA="], body: form) { $0 }
            #expect(badSignature.status == .unauthorized)
            let member = try await admin.get("/v1/members?identity_kind=sms&external_id=%2B34600111222").json["data"][0]
            let texts = try await admin.get("/v1/conversations?member_id=\(try #require(member["id"].string))")
            #expect(texts.json["data"].array.count == 1)
        }
    }

    @Test("delivery reports move our outbound message forward and never backwards")
    func deliveryStatus() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: OutboundDeliveryTests.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let created = try await admin.post("/v1/adapters", #"{"provider":"whatsapp","name":"Line","credentials":{"access_token":"t","app_secret":"\#(Self.appSecret)","verify_token":"v"},"config":{"phone_number_id":"2"}}"#)
                let hook = "/v1/hooks/whatsapp/\(try #require(created.json["id"].string).lowercased())"
                #expect(try await Self.postSigned(client, hook, Self.whatsAppText(id: "wamid.IN1")).status == .ok)
                let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
                let reply = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Sí, en azul"}"#).json["id"].string)
                @Sendable func status() async throws -> String? {
                    try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
                        .first { $0["id"].string == reply }?["delivery_status"].string
                }
                // The worker sends it; the fake provider calls it wamid.OUT-1.
                #expect(try await eventually { try await status() == "sent" })
                #expect(await log.requests.count == 1)
                func report(_ value: String) -> String {
                    #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"2"},"statuses":[{"id":"wamid.OUT-1","status":"\#(value)","timestamp":"1749416400","recipient_id":"16505551234"}]},"field":"messages"}]}]}"#
                }
                #expect(try await Self.postSigned(client, hook, report("read")).status == .ok)
                #expect(try await status() == "read")
                #expect(try await Self.postSigned(client, hook, report("delivered")).status == .ok)
                #expect(try await status() == "read")
            }
        }
    }
}

@Suite("Concurrent first messages")
struct ConcurrentFirstMessageTests {
    @Test("simultaneous first messages from one unknown sender make one member and one conversation, all 200")
    func raceOnNewSender() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp",
                credentials: #"{"access_token":"t","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"}"#)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        Int(try await WebhookTests.postSigned(client, hook.url, WebhookTests.whatsAppText(id: "wamid.RACE\(index)", from: "34611000999")).status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 12))
            #expect(try await admin.get("/v1/members?external_id=%2B34611000999").json["data"].array.count == 1)
            let conversations = try await admin.get("/v1/conversations").json["data"].array
            try #require(conversations.count == 1)
            let messages = try await admin.get("/v1/conversations/\(try #require(conversations[0]["id"].string))/messages?limit=50")
            #expect(messages.json["data"].array.count == 12)
        }
    }
}
