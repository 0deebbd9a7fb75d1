import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Outbound delivery through the outbox")
struct OutboundDeliveryTests {
    static func configure(_ baseURL: String) -> (inout AppConfig) -> Void {
        { config in
            config.providerURLs.byProvider[.whatsapp] = baseURL
            config.outboxPollInterval = .milliseconds(20)
            config.outboxMaxAttempts = 3
        }
    }

    @Test("signed webhook → agent reply → the fake provider receives the published send shape → status webhook → delivered")
    func endToEnd() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Self.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let created = try await admin.post("/v1/adapters", #"{"provider":"whatsapp","name":"Line","credentials":{"access_token":"wa-token","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"},"config":{"phone_number_id":"106540352242922"}}"#)
                let hook = "/v1/hooks/whatsapp/\(try #require(created.json["id"].string).lowercased())"
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.IN1")).status == .ok)
                let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)

                let reply = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Sí, en azul"}"#).json["id"].string)
                #expect(try await eventually { await log.requests.count == 1 })
                let sent = try #require(await log.requests.first)
                #expect(sent.method == "POST")
                #expect(sent.path == "/v23.0/106540352242922/messages")
                #expect(sent.authorization == "Bearer wa-token")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any])
                #expect(body["messaging_product"] as? String == "whatsapp")
                #expect((body["to"] as? String)?.hasSuffix("16505551234") == true)
                #expect((body["text"] as? [String: Any])?["body"] as? String == "Sí, en azul")

                @Sendable func status() async throws -> String? {
                    try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array
                        .first { $0["id"].string == reply }?["delivery_status"].string
                }
                #expect(try await eventually { try await status() == "sent" })
                let delivered = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.OUT-1","status":"delivered","timestamp":"1749416400","recipient_id":"16505551234"}]},"field":"messages"}]}]}"#
                #expect(try await WebhookTests.postSigned(client, hook, delivered).status == .ok)
                #expect(try await status() == "delivered")
                // Sent once: the outbox row is done and nothing else went out.
                try await Task.sleep(for: .milliseconds(200))
                #expect(await log.requests.count == 1)
            }
        }
    }

    @Test("5xx answers are retried with backoff; a 4xx dead-letters with the provider's error on the message")
    func retriesAndDeadLetters() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Self.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let created = try await admin.post("/v1/adapters", #"{"provider":"whatsapp","name":"Line","credentials":{"access_token":"t","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"},"config":{"phone_number_id":"1"}}"#)
                let hook = "/v1/hooks/whatsapp/\(try #require(created.json["id"].string).lowercased())"
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.IN1")).status == .ok)
                let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
                @Sendable func status(_ id: String) async throws -> JSON? {
                    try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array.first { $0["id"].string == id }
                }

                await log.failNext([503, 500])
                let first = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"uno"}"#).json["id"].string)
                #expect(try await eventually { try await status(first)?["delivery_status"].string == "sent" })
                #expect(await log.requests.count == 3)

                await log.failNext([400])
                let second = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"dos"}"#).json["id"].string)
                #expect(try await eventually { try await status(second)?["delivery_status"].string == "failed" })
                #expect(await log.requests.count == 4)
                // The message is marked failed in its tenant's transaction; the row is dead-lettered just after.
                @Sendable func dead() async throws -> Int? {
                    try await fixtures.database.client.query(
                        "SELECT count(*)::int FROM outbox WHERE dead_at IS NOT NULL AND last_error LIKE '%400%'", logger: fixtures.database.logger
                    ).first { try $0.decode(Int.self) }
                }
                #expect(try await eventually { try await dead() == 1 })
            }
        }
    }

    @Test("a conversation's replies reach the provider in the order written, even when the first is being retried")
    func orderPerConversation() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Self.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let created = try await admin.post("/v1/adapters", #"{"provider":"whatsapp","name":"Line","credentials":{"access_token":"t","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"},"config":{"phone_number_id":"1"}}"#)
                let hook = "/v1/hooks/whatsapp/\(try #require(created.json["id"].string).lowercased())"
                #expect(try await WebhookTests.postSigned(client, hook, WebhookTests.whatsAppText(id: "wamid.IN1")).status == .ok)
                let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)

                // The first send fails twice (1 s and 2 s of backoff); the later replies wait for it.
                await log.failNext([500, 503])
                for text in ["uno", "dos", "tres"] {
                    #expect(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"\#(text)"}"#).status == .created)
                }
                #expect(try await eventually(seconds: 15) { await log.requests.count == 5 })
                let texts = await log.requests.map { request -> String? in
                    let body = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any]
                    return (body?["text"] as? [String: Any])?["body"] as? String
                }
                #expect(texts == ["uno", "uno", "uno", "dos", "tres"])
            }
        }
    }
}
