import FieldlineTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

@Suite("Sandbox phone")
struct SandboxPhoneTests {
    static let secret = "sandbox-secret-0123456789"

    /// The phone's calls: the adapter's secret, and JSON unless said otherwise.
    struct Phone: Sendable {
        let client: any TestClientProtocol
        let adapter: String
        var secret = SandboxPhoneTests.secret

        func send(_ method: HTTPRequest.Method, _ path: String, _ body: ByteBuffer? = nil, type: String = "application/json") async throws -> TestResponse {
            var headers: HTTPFields = [HTTPField.Name("X-Sandbox-Secret")!: secret]
            if body != nil { headers[.contentType] = type }
            return try await client.execute(uri: path, method: method, headers: headers, body: body) { $0 }
        }

        /// Posts to the adapter's webhook what the phone `phone` sends.
        func hook(_ json: String) async throws -> TestResponse {
            try await send(.post, "/v1/hooks/sandbox/\(adapter)", ByteBuffer(string: json))
        }

        func thread(_ phone: String) async throws -> [JSON] {
            try await send(.get, "/v1/sandbox/\(adapter)/phones/\(phone)/messages").json["data"].array
        }
    }

    static func configure(_ config: inout AppConfig) {
        config.outboxPollInterval = .milliseconds(20)
        config.outboxMaxAttempts = 3
    }

    /// A tenant with a sandbox adapter and one member whose phone is open.
    static func setUp(_ client: any TestClientProtocol, _ fixtures: Fixtures) async throws -> (APICaller, Phone, member: String, phone: String) {
        try await setUp(client, APICaller(client, try await fixtures.tenant()))
    }

    /// `setUp` for the tenant `admin` administers (`CitusTests` makes its tenant on the cluster).
    static func setUp(_ client: any TestClientProtocol, _ admin: APICaller) async throws -> (APICaller, Phone, member: String, phone: String) {
        let created = try await admin.post("/v1/adapters", #"{"provider":"sandbox","name":"Phone","credentials":{"secret":"\#(secret)"}}"#)
        #expect(created.status == .created, "\(created.text)")
        let adapter = try #require(created.json["id"].string)
        #expect(created.json["webhook_url"].string == "http://localhost:8080/v1/hooks/sandbox/\(adapter)")
        let organization = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Grúas Ana"}"#).json["id"].string)
        let member = try #require(try await admin.post("/v1/members", #"{"organization_id":"\#(organization)","name":"Ana"}"#).json["id"].string)
        let phone = Phone(client: client, adapter: adapter)
        let listed = try await phone.send(.get, "/v1/sandbox/\(adapter)/members")
        #expect(listed.status == .ok)
        #expect(listed.json["data"].array.contains { $0["id"].string == member && $0["organization_name"].string == "Grúas Ana" && $0["phone"].isNull })
        let opened = try await phone.send(.put, "/v1/sandbox/\(adapter)/members/\(member)/phone")
        #expect(opened.status == .ok, "\(opened.text)")
        let number = try #require(opened.json["phone"].string)
        #expect(number == member)
        // Opening again changes nothing.
        #expect(try await phone.send(.put, "/v1/sandbox/\(adapter)/members/\(member)/phone").json["phone"].string == number)
        return (admin, phone, member, number)
    }

    @Test("the phone writes through the webhook; the agent's choices arrive as buttons; a tap answers with the choice id; read is reported")
    func conversation() async throws {
        try await TestApp.run(configure: Self.configure) { client, fixtures in
            let (admin, phone, member, number) = try await Self.setUp(client, fixtures)
            let hello = try await phone.hook(#"{"messages":[{"id":"p-1","from":"\#(number)","name":"Ana","text":"Hola"}]}"#)
            #expect(hello.status == .ok, "\(hello.text)")
            let conversation = try #require(try await admin.get("/v1/conversations?member_id=\(member)").json["data"][0]["id"].string)

            let question = try #require(try await admin.post("/v1/conversations/\(conversation)/messages",
                #"{"text":"¿Vas?","choices":[{"id":"job1:accept","title":"Sí"},{"id":"job1:decline","title":"No"}]}"#).json["id"].string)
            #expect(try await eventually { try await phone.thread(number).count == 2 })
            let thread = try await phone.thread(number)
            #expect(thread[0]["direction"].string == "sent")
            #expect(thread[0]["message"]["text"].string == "Hola")
            let received = thread[1]
            #expect(received["direction"].string == "received")
            #expect(received["message"]["choice_style"].string == "buttons")
            #expect(received["message"]["choices"].array.map { $0["id"].string } == ["job1:accept", "job1:decline"])
            #expect(try await eventually { try await phone.thread(number)[1]["message"]["delivery_status"].string == "sent" })
            let receivedID = try #require(received["id"].string)
            // Only what is new after the last id seen.
            #expect(try await phone.send(.get, "/v1/sandbox/\(phone.adapter)/phones/\(number)/messages?after=\(receivedID)").json["data"].array.isEmpty)

            #expect(try await phone.hook(#"{"statuses":[{"id":"\#(receivedID)","status":"read"}]}"#).status == .ok)
            #expect(try await ProviderTestSupport.message(admin, conversation, question)?["delivery_status"].string == "read")

            let tap = #"{"messages":[{"id":"p-2","from":"\#(number)","reply_to":"\#(receivedID)","choice":{"id":"job1:accept","title":"Sí"}}]}"#
            #expect(try await phone.hook(tap).status == .ok)
            #expect(try await phone.hook(tap).status == .ok)  // a retry is stored once
            let inbound = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array.filter { $0["direction"].string == "inbound" }
            #expect(inbound.count == 2)
            #expect(inbound[0]["kind"].string == "choice")
            #expect(inbound[0]["payload"]["choice_id"].string == "job1:accept")
        }
    }

    @Test("choices beyond a list arrive as numbered text, and the number answers them as on SMS")
    func numbered() async throws {
        try await TestApp.run(configure: Self.configure) { client, fixtures in
            let (admin, phone, member, number) = try await Self.setUp(client, fixtures)
            #expect(try await phone.hook(#"{"messages":[{"id":"p-1","from":"\#(number)","text":"Hola"}]}"#).status == .ok)
            let conversation = try #require(try await admin.get("/v1/conversations?member_id=\(member)").json["data"][0]["id"].string)
            let long = "Una opción con un título bastante largo"
            _ = try await admin.post("/v1/conversations/\(conversation)/messages",
                #"{"text":"¿Cuándo?","choices":[{"id":"am","title":"\#(long) A"},{"id":"pm","title":"\#(long) B"}]}"#)
            #expect(try await eventually { try await phone.thread(number).count == 2 })
            let received = try await phone.thread(number)[1]["message"]
            #expect(received["choice_style"].string == "numbered")
            #expect(received["text"].string == "¿Cuándo?\n\n1) \(long) A\n2) \(long) B")
            #expect(received["choices"].isNull)
            // Its status must be sent before a number answers it (as on SMS).
            #expect(try await eventually { try await phone.thread(number)[1]["message"]["delivery_status"].string == "sent" })
            #expect(try await phone.hook(#"{"messages":[{"id":"p-2","from":"\#(number)","text":"2"}]}"#).status == .ok)
            let answer = try #require(try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array.first)
            #expect(answer["kind"].string == "choice")
            #expect(answer["payload"]["choice_id"].string == "pm")
            #expect(answer["payload"]["answer"].string == "2")
        }
    }

    @Test("a photo is uploaded, sent, fetched from the media store with its evidence facts, and shown to the phone again; a location too")
    func photoAndLocation() async throws {
        try await TestApp.run(configure: Self.configure) { client, fixtures in
            let (admin, phone, member, number) = try await Self.setUp(client, fixtures)
            let jpeg = EvidencePhotos.original()
            let upload = try await phone.send(.post, "/v1/sandbox/\(phone.adapter)/media", ByteBuffer(bytes: jpeg), type: "image/jpeg")
            #expect(upload.status == .created, "\(upload.text)")
            #expect(upload.json["content_type"].string == "image/jpeg")
            let mediaID = try #require(upload.json["media_id"].string)
            // Not sent yet: the phone's adapter may not read it back.
            #expect(try await phone.send(.get, "/v1/sandbox/\(phone.adapter)/media/\(mediaID)").status == .notFound)

            let photo = #"{"messages":[{"id":"p-1","from":"\#(number)","image":{"media_id":"\#(mediaID)","mime_type":"image/jpeg","caption":"Hecho"}}]}"#
            #expect(try await phone.hook(photo).status == .ok)
            let conversation = try #require(try await admin.get("/v1/conversations?member_id=\(member)").json["data"][0]["id"].string)
            @Sendable func image() async throws -> JSON? {
                try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array.first { $0["kind"].string == "image" }
            }
            #expect(try await eventually { try await image()?["media"]["status"].string == "fetched" })
            let media = try await admin.get("/v1/media/\(try #require(try await image()?["media"]["id"].string))").json
            #expect(media["content_type"].string == "image/jpeg")
            #expect(media["provider"].string == "sandbox")
            #expect(media["sha256"].string == mediaID)
            // The same evidence facts as a provider's download: size, EXIF with its GPS, the perceptual hash.
            #expect(media["width"].int == EvidencePhotos.width)
            #expect(media["height"].int == EvidencePhotos.height)
            #expect(media["exif"]["status"].string == "present")
            #expect(media["exif"]["latitude"].double.map { abs($0 - EvidencePhotos.site.latitude) < 0.0001 } == true)
            #expect(media["perceptual_hash"].string?.count == 16)
            #expect(try await image()?["text"].string == "Hecho")
            let shown = try await phone.send(.get, "/v1/sandbox/\(phone.adapter)/media/\(mediaID)")
            #expect(shown.status == .ok)
            #expect(Array(buffer: shown.body) == jpeg)

            #expect(try await phone.hook(#"{"messages":[{"id":"p-2","from":"\#(number)","location":{"latitude":40.4,"longitude":-3.7}}]}"#).status == .ok)
            let location = try #require(try await admin.get("/v1/conversations/\(conversation)/messages").json["data"].array.first)
            #expect(location["kind"].string == "location")
            #expect(location["payload"]["latitude"].double == 40.4)
            _ = try await admin.post("/v1/conversations/\(conversation)/messages", #"{"location":{"latitude":40.41,"longitude":-3.71,"name":"Taller"}}"#)
            #expect(try await eventually { try await phone.thread(number).last?["message"]["location"]["name"].string == "Taller" })
            #expect(try await phone.thread(number).map { $0["direction"].string } == ["sent", "sent", "received"])

            // What is not media is refused at once.
            let text = try await phone.send(.post, "/v1/sandbox/\(phone.adapter)/media", ByteBuffer(string: "not a photo"), type: "image/png")
            #expect(text.status == .unsupportedMediaType)
            #expect(text.json["error"]["code"].string == "unsupported_media_type")
            // A photo that is not one is refused like an upload to a proof, and nothing is stored.
            let truncated = Array(TestImages.photo(variant: 9).prefix(600))
            let refused = try await phone.send(.post, "/v1/sandbox/\(phone.adapter)/media", ByteBuffer(bytes: truncated), type: "image/jpeg")
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.json["error"]["code"].string == "unreadable_image")
            let script = try await phone.send(.post, "/v1/sandbox/\(phone.adapter)/media", ByteBuffer(string: "#!/bin/sh\nrm -rf /\n"), type: "image/jpeg")
            #expect(script.status == .unsupportedMediaType)
        }
    }

    @Test("a sandbox photo goes into a proof with its facts and checks")
    func proofFromPhoto() async throws {
        try await TestApp.run(configure: Self.configure) { client, fixtures in
            let (admin, phone, member, number) = try await Self.setUp(client, fixtures)
            let (_, proof) = try await Self.photoProofScenario(admin, phone, member: member, number: number)
            #expect(proof["media"][0]["perceptual_hash"].string?.count == 16)
            #expect(proof["checks"]["at_site"].bool == true)
            #expect(proof["checks"]["location_source"].string == "exif")
            #expect(proof["checks"]["exif_consistent"].bool == true)
            #expect(proof["checks"]["unique"].bool == true)
        }
    }

    @Test("a dispatch offer arrives as Accept/Decline buttons; tapping Accept assigns the job")
    func offer() async throws {
        try await TestApp.run(configure: Self.configure) { client, fixtures in
            let admin = APICaller(client, try await fixtures.tenant())
            let created = try await admin.post("/v1/adapters", #"{"provider":"sandbox","name":"Phone","credentials":{"secret":"\#(Self.secret)"}}"#)
            let phone = Phone(client: client, adapter: try #require(created.json["id"].string))
            let org = try await BroadcastTestSupport.subcontractor(admin, "Grúas Sandbox")
            let member = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"Luis","identities":[{"kind":"sandbox","external_id":"luis-phone"}]}"#)
            #expect(member.status == .created, "\(member.text)")
            #expect(try await phone.hook(#"{"messages":[{"id":"p-1","from":"luis-phone","text":"Disponible"}]}"#).status == .ok)
            let job = try await BroadcastTestSupport.job(admin, "PO-SBX")
            #expect(try await admin.post("/v1/jobs/\(job)/broadcast", "{}").status == .created)

            #expect(try await eventually { try await phone.thread("luis-phone").last?["message"]["choice_style"].string == "buttons" })
            let offer = try #require(try await phone.thread("luis-phone").last)
            let choices = offer["message"]["choices"].array
            #expect(choices.count == 2)
            let accept = try #require(choices.first { $0["title"].string?.hasPrefix("Accept") == true })
            #expect(try await eventually { try await phone.thread("luis-phone").last?["message"]["delivery_status"].string == "sent" })
            let tap = #"{"messages":[{"id":"p-2","from":"luis-phone","reply_to":"\#(offer["id"].string ?? "")","choice":{"id":"\#(accept["id"].string ?? "")","title":"\#(accept["title"].string ?? "")"}}]}"#
            #expect(try await phone.hook(tap).status == .ok)
            #expect(try await admin.get("/v1/jobs/\(job)").json["status"].string == "assigned")
            #expect(try await BroadcastTestSupport.offers(admin, job)[org]?["status"].string == "accepted")
        }
    }

    @Test("without the adapter's secret nothing is told or stored; another provider's adapter is not a phone")
    func secret() async throws {
        try await TestApp.run(configure: Self.configure) { client, fixtures in
            let (admin, phone, member, number) = try await Self.setUp(client, fixtures)
            var wrong = phone
            wrong.secret = "another-secret-0123456789"
            for (method, path) in [(HTTPRequest.Method.get, "members"), (.put, "members/\(member)/phone"), (.get, "phones/\(number)/messages"), (.post, "media")] {
                let response = try await wrong.send(method, "/v1/sandbox/\(phone.adapter)/\(path)", method == .post ? ByteBuffer(string: "x") : nil)
                #expect(response.status == .unauthorized, "\(path)")
                #expect(response.json["error"]["code"].string == "invalid_secret")
            }
            let hook = try await wrong.hook(#"{"messages":[{"id":"p-1","from":"\#(number)","text":"Hola"}]}"#)
            #expect(hook.status == .unauthorized)
            #expect(try await admin.get("/v1/conversations").json["data"].array.isEmpty)
            // A bad body is a 400 naming the problem; a WhatsApp adapter's id is no sandbox.
            let bad = try await phone.hook(#"{"messages":[{"id":"p-1","from":"\#(number)","text":"a","choice":{"id":"x"}}]}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.json["error"]["message"].string?.contains("exactly one of text, choice, location, image") == true)
            let whatsapp = try await ProviderTestSupport.adapter(admin, "whatsapp")
            let whatsappID = String(whatsapp.split(separator: "/").last ?? "")
            #expect(try await phone.send(.get, "/v1/sandbox/\(whatsappID)/members").status == .notFound)
            // Too short a secret is refused when the adapter is created.
            let short = try await admin.post("/v1/adapters", #"{"provider":"sandbox","name":"P","credentials":{"secret":"short"}}"#)
            #expect(short.status == .unprocessableContent)
            #expect(short.json["error"]["field"].string == "credentials.secret")
        }
    }

    @Test("GET /sandbox serves the page, without external assets; GET / links to it")
    func page() async throws {
        try await TestApp.run { client, _ in
            let page = try await client.execute(uri: "/sandbox", method: .get) { $0 }
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: page.body)
            #expect(html.contains("/v1/hooks/sandbox/"))
            #expect(!html.contains("src=\"http"))
            #expect(!html.contains("href=\"http"))
            let home = try await client.execute(uri: "/", method: .get) { $0 }
            #expect(home.json["links"]["sandbox"].string == "/sandbox")
        }
    }
}
