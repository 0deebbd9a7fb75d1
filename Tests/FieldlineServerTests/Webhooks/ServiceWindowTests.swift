import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Customer-service windows: held replies, re-engagement templates, release on the member's next message")
struct ServiceWindowTests {
    typealias Support = ProviderTestSupport

    @Test("WhatsApp, last message 25 hours old: the reply is held (not sent, not failed) and goes out when the member writes again")
    func heldThenReleased() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await Support.adapter(admin, "whatsapp")
                try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN1", text: "hola")
                let conversation = try await Support.conversation(admin)
                try await Support.age(inbound: 25, tenant: fixture.tenant.id, fixtures)

                let reply = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Mañana a las 9"}"#).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, reply)?["delivery_status"].string == "held" })
                let held = try #require(try await Support.message(admin, conversation, reply))
                let reason = held["delivery_error"].string ?? ""
                #expect(reason.contains("whatsapp service window closed"), "\(reason)")
                #expect(reason.contains("over 24 hours"), "\(reason)")
                #expect(reason.contains("when the member writes again"), "\(reason)")
                // Not sent, and its outbox row is finished rather than dead-lettered or retried.
                try await Task.sleep(for: .milliseconds(200))
                #expect(await log.requests.isEmpty)
                let outbox = try await fixtures.database.client.query(
                    "SELECT count(*) FILTER (WHERE done_at IS NOT NULL)::int, count(*) FILTER (WHERE dead_at IS NOT NULL)::int FROM outbox",
                    logger: fixtures.database.logger
                ).first { try $0.decode((Int, Int).self) }
                #expect(outbox?.0 == 1 && outbox?.1 == 0)

                try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN2", text: "¿Hay novedades?")
                #expect(try await eventually { try await Support.message(admin, conversation, reply)?["delivery_status"].string == "sent" })
                let released = try #require(try await Support.message(admin, conversation, reply))
                #expect(released["delivery_error"].isNull || released["delivery_error"].string == nil)
                #expect(await log.requests.count == 1)
                let body = try Support.body(try #require(await log.requests.first))
                #expect((body["text"] as? [String: Any])?["body"] as? String == "Mañana a las 9")
            }
        }
    }

    @Test("WhatsApp with a re-engagement template: one template goes out (published shape), replies wait for the answer, then all go")
    func reengagementTemplate() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await Support.adapter(admin, "whatsapp", extraConfig: #""reengagement_template":"reply_waiting","reengagement_template_language":"es""#)
                try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN1", text: "hola")
                let conversation = try await Support.conversation(admin)
                try await Support.age(inbound: 30, tenant: fixture.tenant.id, fixtures)

                let path = "/v1/conversations/\(conversation)/messages"
                let first = try #require(try await admin.post(path, #"{"text":"Mañana a las 9"}"#).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, first)?["delivery_status"].string == "held" })
                let second = try #require(try await admin.post(path, RichReplyTests.twoChoices).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, second)?["delivery_status"].string == "held" })
                #expect(try await eventually { await log.requests.count == 1 })
                try await Task.sleep(for: .milliseconds(200))
                #expect(await log.requests.count == 1, "one template per closed window, however many replies wait")

                let template = try Support.body(try #require(await log.requests.first))
                #expect(template["type"] as? String == "template")
                #expect(template["messaging_product"] as? String == "whatsapp")
                #expect((template["to"] as? String)?.hasSuffix("16505551234") == true)
                let object = try #require(template["template"] as? [String: Any])
                #expect(object["name"] as? String == "reply_waiting")
                #expect(object["language"] as? [String: String] == ["code": "es"])
                let reason = try await Support.message(admin, conversation, first)?["delivery_error"].string ?? ""
                #expect(reason.contains("reply_waiting"), "\(reason)")
                let messages = try await admin.get("\(path)?limit=100").json["data"].array
                let system = try #require(messages.first { $0["kind"].string == "system" })
                #expect(system["direction"].string == "outbound")
                #expect(system["payload"]["template"]["name"].string == "reply_waiting")
                #expect(try await eventually { try await Support.message(admin, conversation, try #require(system["id"].string))?["delivery_status"].string == "sent" })

                try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN2", text: "Dime")
                #expect(try await eventually { try await Support.message(admin, conversation, first)?["delivery_status"].string == "sent" })
                #expect(try await eventually { try await Support.message(admin, conversation, second)?["delivery_status"].string == "sent" })
                #expect(await log.requests.count == 3)
                let types = try await log.requests.map { try Support.body($0)["type"] as? String }
                #expect(Set(types.dropFirst().compactMap { $0 }) == ["text", "interactive"])
            }
        }
    }

    @Test("Messenger replies outside the window are held too; closing the conversation fails them with a reason")
    func messengerHeldAndClosed() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let page = try await Support.adapter(admin, "messenger")
                try await Support.inbound(client, "messenger", page, id: "mid.1", text: "hola")
                let conversation = try await Support.conversation(admin)
                try await Support.age(inbound: 48, tenant: fixture.tenant.id, fixtures)
                let reply = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"¿Sigues ahí?"}"#).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, reply)?["delivery_status"].string == "held" })
                #expect(try await Support.message(admin, conversation, reply)?["delivery_error"].string?.hasPrefix("messenger service window closed") == true)

                #expect(try await admin.post("/v1/conversations/\(conversation)/close", "{}").status == .ok)
                let closed = try #require(try await Support.message(admin, conversation, reply))
                #expect(closed["delivery_status"].string == "failed")
                #expect(closed["delivery_error"].string?.contains("closed while") == true, "\(closed)")
                // The member's next message opens a new conversation; the archived reply stays unsent.
                try await Support.inbound(client, "messenger", page, id: "mid.2", text: "sí")
                try await Task.sleep(for: .milliseconds(200))
                #expect(await log.requests.isEmpty)
            }
        }
    }

    @Test("Messenger with human_agent_tag: a person's reply within 7 days goes out tagged HUMAN_AGENT; after 7 days it is held")
    func messengerHumanAgentTag() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let page = try await Support.adapter(admin, "messenger", extraConfig: #""human_agent_tag":"true""#)
                try await Support.inbound(client, "messenger", page, id: "mid.1", text: "hola")
                let conversation = try await Support.conversation(admin)
                try await Support.age(inbound: 48, tenant: fixture.tenant.id, fixtures)
                let path = "/v1/conversations/\(conversation)/messages"
                let tagged = try #require(try await admin.post(path, #"{"text":"Ya está resuelto"}"#).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, tagged)?["delivery_status"].string == "sent" })
                let body = try Support.body(try #require(await log.requests.first))
                #expect(body["messaging_type"] as? String == "MESSAGE_TAG")
                #expect(body["tag"] as? String == "HUMAN_AGENT")

                try await Support.age(inbound: 8 * 24, tenant: fixture.tenant.id, fixtures)
                let late = try #require(try await admin.post(path, #"{"text":"¿Algo más?"}"#).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, late)?["delivery_status"].string == "held" })
                #expect(await log.requests.count == 1)
            }
        }
    }

    @Test("telegram and SMS have no window: an old conversation is answered at once")
    func noWindowElsewhere() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await Support.adapter(admin, "sms")
                try await Support.inbound(client, "sms", hook, id: "SM1", text: "Hola")
                let conversation = try await Support.conversation(admin)
                try await Support.age(inbound: 72, tenant: fixture.tenant.id, fixtures)
                let reply = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", #"{"text":"Voy"}"#).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, reply)?["delivery_status"].string == "sent" })
                #expect(await log.requests.count == 1)
            }
        }
    }

    @Test("the re-engagement template setting is checked when the adapter is created")
    func templateConfigValidation() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            func create(_ provider: String, _ config: String) async throws -> TestResponse {
                let credentials = provider == "whatsapp"
                    ? #"{"access_token":"t","app_secret":"s","verify_token":"v"}"#
                    : #"{"bot_token":"1:x","secret_token":"tg"}"#
                return try await admin.post("/v1/adapters", #"{"provider":"\#(provider)","name":"X","credentials":\#(credentials),"config":{"phone_number_id":"1",\#(config)}}"#)
            }
            let good = try await create("whatsapp", #""reengagement_template":"reply_waiting","reengagement_template_language":"en_US""#)
            #expect(good.status == .created)
            #expect(good.json["config"]["reengagement_template"].string == "reply_waiting")
            #expect(try await create("whatsapp", #""reengagement_template":"reply_waiting""#).json["error"]["field"].string == "config.reengagement_template_language")
            #expect(try await create("whatsapp", #""reengagement_template":"Reply Waiting","reengagement_template_language":"es""#).json["error"]["field"].string == "config.reengagement_template")
            #expect(try await create("whatsapp", #""reengagement_template":"a","reengagement_template_language":"english""#).json["error"]["field"].string == "config.reengagement_template_language")
            #expect(try await create("whatsapp", #""human_agent_tag":"true""#).json["error"]["field"].string == "config.human_agent_tag")
            let telegram = try await create("telegram", #""reengagement_template":"a","reengagement_template_language":"es""#)
            #expect(telegram.status == .unprocessableContent)
            #expect(telegram.json["error"]["field"].string == "config.reengagement_template")
        }
    }
}
