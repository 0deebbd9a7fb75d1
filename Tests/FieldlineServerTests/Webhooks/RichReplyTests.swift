import FieldlineChannels
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Rich agent replies: choices, images and locations, rendered by provider")
struct RichReplyTests {
    typealias Support = ProviderTestSupport

    static let twoChoices = #"{"text":"¿Aceptas el trabajo 42?","choices":[{"id":"job42:accept","title":"Aceptar"},{"id":"job42:decline","title":"Rechazar"}]}"#

    @Test("bad replies are 422s naming the field, and nothing is queued")
    func validation() async throws {
        try await TestApp.run { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let hook = try await Support.adapter(admin, "whatsapp")
            try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN1", text: "hola")
            let path = "/v1/conversations/\(try await Support.conversation(admin))/messages"
            let eleven = (1...11).map { #"{"id":"c\#($0)","title":"Opción \#($0)"}"# }.joined(separator: ",")
            let cases: [(body: String, field: String, code: String)] = [
                (#"{"text":"Elige","choices":[\#(eleven)]}"#, "choices", "too_many"),
                (#"{"text":"Elige","choices":[{"id":"a","title":""}]}"#, "choices[0].title", "invalid_field"),
                (#"{"text":"Elige","choices":[{"id":"a"}]}"#, "choices[0].title", "missing_field"),
                (#"{"text":"Elige","choices":[{"id":"a","title":"Sí","colour":"red"}]}"#, "choices[0].colour", "unknown_field"),
                (#"{"choices":[{"id":"a","title":"Sí"}]}"#, "text", "missing_field"),
                (#"{"image":{"url":"http://cdn.example.com/p.jpg"}}"#, "image.url", "invalid_field"),
                (#"{"text":"x","image":{"url":"https://cdn.example.com/p.jpg","caption":"y"}}"#, "image.caption", "invalid_field"),
                (#"{"location":{"latitude":95,"longitude":0}}"#, "location.latitude", "out_of_range"),
                (#"{"location":{"latitude":"north","longitude":0}}"#, "location.latitude", "wrong_type"),
                (#"{"location":{"latitude":1,"longitude":2,"zoom":3}}"#, "location.zoom", "unknown_field"),
                (#"{}"#, "text", "missing_field"),
            ]
            for item in cases {
                let response = try await admin.post(path, item.body)
                #expect(response.status == .unprocessableContent, "\(item.body) → \(response.status)")
                #expect(response.json["error"]["field"].string == item.field, "\(item.body) → \(response.text)")
                #expect(response.json["error"]["code"].string == item.code, "\(item.body) → \(response.text)")
            }
            let outbound = try await admin.get(path).json["data"].array.filter { $0["direction"].string == "outbound" }
            #expect(outbound.isEmpty)
        }
    }

    @Test("WhatsApp: reply buttons (≤ 3), a list (≤ 10), an image with its caption and a location, stored with kind and payload")
    func whatsApp() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await Support.adapter(admin, "whatsapp")
                try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN1", text: "hola")
                let conversation = try await Support.conversation(admin)
                let path = "/v1/conversations/\(conversation)/messages"

                let buttons = try await admin.post(path, Self.twoChoices)
                #expect(buttons.status == .created)
                #expect(buttons.json["kind"].string == "choice")
                #expect(buttons.json["payload"]["choices"][1]["id"].string == "job42:decline")
                #expect(try await eventually { await log.requests.count == 1 })
                let five = (1...5).map { #"{"id":"slot\#($0)","title":"Franja \#($0)"}"# }.joined(separator: ",")
                #expect(try await admin.post(path, #"{"text":"¿Qué franja?","choices":[\#(five)]}"#).status == .created)
                #expect(try await eventually { await log.requests.count == 2 })
                let image = try await admin.post(path, #"{"image":{"url":"https://cdn.example.com/fachada.jpg","caption":"La fachada"}}"#)
                #expect(image.json["kind"].string == "image")
                #expect(image.json["text"].string == "La fachada")
                #expect(image.json["payload"]["image"]["url"].string == "https://cdn.example.com/fachada.jpg")
                #expect(try await eventually { await log.requests.count == 3 })
                let place = try await admin.post(path, #"{"location":{"latitude":40.4168,"longitude":-3.7038,"name":"Tienda 112","address":"Gran Vía 1"}}"#)
                #expect(place.json["kind"].string == "location")
                #expect(place.json["payload"]["location"]["latitude"].double == 40.4168)
                #expect(try await eventually { await log.requests.count == 4 })

                let requests = await log.requests
                let sent = try requests.map(Support.body)
                let first = try #require(sent[0]["interactive"] as? [String: Any])
                #expect(sent[0]["type"] as? String == "interactive")
                #expect(first["type"] as? String == "button")
                let replies = ((first["action"] as? [String: Any])?["buttons"] as? [[String: Any]])?.compactMap { ($0["reply"] as? [String: Any])?["id"] as? String }
                #expect(replies == ["job42:accept", "job42:decline"])
                #expect((first["body"] as? [String: Any])?["text"] as? String == "¿Aceptas el trabajo 42?")
                let list = try #require(sent[1]["interactive"] as? [String: Any])
                #expect(list["type"] as? String == "list")
                let sections = (list["action"] as? [String: Any])?["sections"] as? [[String: Any]]
                #expect((sections?.first?["rows"] as? [Any])?.count == 5)
                #expect(sent[2]["type"] as? String == "image")
                #expect(sent[2]["image"] as? [String: String] == ["link": "https://cdn.example.com/fachada.jpg", "caption": "La fachada"])
                #expect(sent[3]["type"] as? String == "location")
                #expect((sent[3]["location"] as? [String: Any])?["name"] as? String == "Tienda 112")
                let id = try #require(buttons.json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, id)?["delivery_status"].string == "sent" })
            }
        }
    }

    @Test("Telegram gets an inline keyboard and Messenger quick replies whose ids come back as the choice")
    func telegramAndMessenger() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let bot = try await Support.adapter(admin, "telegram")
                try await Support.inbound(client, "telegram", bot, id: "1365", text: "hola")
                let conversation = try await Support.conversation(admin)
                #expect(try await admin.post("/v1/conversations/\(conversation)/messages", Self.twoChoices).status == .created)
                #expect(try await eventually { await log.requests.count == 1 })
                let telegram = try #require(await log.requests.first)
                #expect(telegram.path == "/bot123:abc/sendMessage")
                let markup = try #require(try Support.body(telegram)["reply_markup"] as? [String: Any])
                let keys = (markup["inline_keyboard"] as? [[[String: Any]]])?.flatMap { $0 }.compactMap { $0["callback_data"] as? String }
                #expect(keys == ["job42:accept", "job42:decline"])
                _ = try await admin.post("/v1/conversations/\(conversation)/close", "{}")

                let page = try await Support.adapter(admin, "messenger")
                try await Support.inbound(client, "messenger", page, id: "mid.1", text: "hola")
                let second = try #require(try await admin.get("/v1/conversations?status=open").json["data"][0]["id"].string)
                #expect(try await admin.post("/v1/conversations/\(second)/messages", Self.twoChoices).status == .created)
                #expect(try await eventually { await log.requests.count == 2 })
                let messenger = try #require(await log.requests.last)
                #expect(messenger.path == "/v25.0/682498302938465/messages")
                let message = try #require(try Support.body(messenger)["message"] as? [String: Any])
                #expect(message["text"] as? String == "¿Aceptas el trabajo 42?")
                let payloads = (message["quick_replies"] as? [[String: Any]])?.compactMap { $0["payload"] as? String }
                #expect(payloads == ["job42:accept", "job42:decline"])
            }
        }
    }

    @Test("SMS: choices go as a numbered text, and the member's \"2\" through a signed Twilio webhook is stored as that choice")
    func smsNumberedAnswer() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await Support.adapter(admin, "sms")
                try await Support.inbound(client, "sms", hook, id: "SM1", text: "Hola")
                let conversation = try await Support.conversation(admin)
                let offer = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", Self.twoChoices).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, offer)?["delivery_status"].string == "sent" })
                let sms = try #require(await log.requests.first)
                #expect(sms.path == "/2010-04-01/Accounts/AC123/Messages.json")
                let fields = Dictionary(FormEncoding.decode(Array(sms.body.utf8)).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                #expect(fields["Body"] == "¿Aceptas el trabajo 42?\n\n1) Aceptar\n2) Rechazar")
                #expect(fields["To"] == "+34600111222")
                #expect(fields["From"] == "+34900000000")

                try await Support.inbound(client, "sms", hook, id: "SM2", text: "2")
                let answer = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                #expect(answer["direction"].string == "inbound")
                #expect(answer["kind"].string == "choice")
                #expect(answer["text"].string == "Rechazar")
                #expect(answer["payload"]["choice_id"].string == "job42:decline")
                #expect(answer["payload"]["answer"].string == "2")
                #expect(answer["payload"]["offer_message_id"].string?.lowercased() == offer.lowercased())

                // One answer per question: a later number is ordinary text.
                try await Support.inbound(client, "sms", hook, id: "SM3", text: "1")
                let later = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                #expect(later["kind"].string == "text")
                #expect(later["text"].string == "1")
            }
        }
    }

    @Test("a number only answers choices that went out as numbered text: WhatsApp buttons leave \"2\" as text, titles too long for a list do not")
    func numberOnlyForNumberedText() async throws {
        try await FakeProvider.run { baseURL, log in
            try await TestApp.run(configure: Support.configure(baseURL)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await Support.adapter(admin, "whatsapp")
                try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN1", text: "hola")
                let conversation = try await Support.conversation(admin)
                let offer = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", Self.twoChoices).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, offer)?["delivery_status"].string == "sent" })
                try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN2", text: "2")
                let latest = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                #expect(latest["kind"].string == "text")
                #expect(latest["text"].string == "2")
                #expect(await log.requests.count == 1)

                // Titles over 24 characters fit neither buttons nor a list: WhatsApp gets numbered text.
                let long = #"{"text":"¿Qué hacemos?","choices":[{"id":"later","title":"Reprogramar para la semana que viene"},{"id":"now","title":"Ir ahora mismo con la grúa pequeña"}]}"#
                let numbered = try #require(try await admin.post("/v1/conversations/\(conversation)/messages", long).json["id"].string)
                #expect(try await eventually { try await Support.message(admin, conversation, numbered)?["delivery_status"].string == "sent" })
                let text = try Support.body(try #require(await log.requests.last))["text"] as? [String: Any]
                #expect((text?["body"] as? String)?.hasSuffix("1) Reprogramar para la semana que viene\n2) Ir ahora mismo con la grúa pequeña") == true)
                try await Support.inbound(client, "whatsapp", hook, id: "wamid.IN3", text: "2")
                let answer = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                #expect(answer["kind"].string == "choice")
                #expect(answer["payload"]["choice_id"].string == "now")
            }
        }
    }
}
