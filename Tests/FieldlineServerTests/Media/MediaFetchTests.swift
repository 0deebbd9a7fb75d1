import FieldlineChannels
import FieldlineDomain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FieldlineServer

@Suite("Inbound media: background fetch, storage and download")
struct MediaFetchTests {
    static let whatsAppCredentials = #"{"access_token":"wa-token","app_secret":"\#(WebhookTests.appSecret)","verify_token":"v"}"#

    /// Serves `jpeg` as WhatsApp's media 1003383421387256: its look-up, then its download, each
    /// behind the bearer token of `whatsAppCredentials`.
    static func serveWhatsAppImage(_ jpeg: [UInt8], _ log: FakeProviderLog, baseURL: String) async {
        await log.serve("/v23.0/1003383421387256", .json(
            #"{"url":"\#(baseURL)/whatsapp/download/1003383421387256","mime_type":"image/jpeg","sha256":"\#(MediaSamples.sha256Base64(jpeg))","file_size":"\#(jpeg.count)","id":"1003383421387256","messaging_product":"whatsapp"}"#,
            authorization: "Bearer wa-token"))
        await log.serve("/whatsapp/download/1003383421387256", FakeResponse(contentType: "image/jpeg", body: jpeg, requiredAuthorization: "Bearer wa-token"))
    }

    @Test("a signed WhatsApp image → media id lookup and download with the bearer token → stored by SHA-256 → downloadable, within visibility")
    func whatsAppImage() async throws {
        let directory = MediaSamples.directory()
        let jpeg = MediaSamples.jpeg()
        try await FakeProvider.run { baseURL, log in
            await Self.serveWhatsAppImage(jpeg, log, baseURL: baseURL)
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let fixture = try await fixtures.tenant()
                let admin = APICaller(client, fixture)
                let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: Self.whatsAppCredentials)
                let webhook = MediaSamples.whatsAppImage(messageID: "wamid.IMG1", mediaID: "1003383421387256", sha256: MediaSamples.sha256Base64(jpeg))
                #expect(try await WebhookTests.postSigned(client, hook.url, webhook).status == .ok)
                // A retried webhook is deduplicated: one message, one media row, one fetch.
                #expect(try await WebhookTests.postSigned(client, hook.url, webhook).status == .ok)
                let queued = try await fixtures.database.client.query(
                    "SELECT count(*)::int FROM outbox WHERE topic = 'media.fetch'", logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
                #expect(queued == 1)

                let (conversation, summary) = try await MediaSamples.onlyMedia(admin)
                let id = try #require(summary["id"].string)
                #expect(["pending", "fetched"].contains(summary["status"].string))
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "fetched")
                #expect(media["sha256"].string == MediaSamples.sha256Hex(jpeg))
                #expect(media["size"].int == jpeg.count)
                #expect(media["content_type"].string == "image/jpeg")
                #expect(media["declared_type"].string == "image/jpeg")
                #expect(media["provider"].string == "whatsapp")
                #expect(media["conversation_id"].string == conversation)
                #expect(media["attempts"].int == 1)
                #expect(media["error"].isNull)
                let message = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                #expect(message["kind"].string == "image")
                #expect(message["text"].string == "Taj Mahal")
                #expect(message["media"]["status"].string == "fetched")
                #expect(message["media"]["id"].string == id)

                let content = try await admin.get("/v1/media/\(id)/content")
                #expect(content.status == .ok)
                #expect(content.headers[.contentType] == "image/jpeg")
                #expect(content.headers[.contentLength] == "\(jpeg.count)")
                #expect(Array(buffer: content.body) == jpeg)
                let sha = MediaSamples.sha256Hex(jpeg)
                #expect(MediaSamples.files(in: directory, "objects") == ["\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)"])
                #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
                // The lookup and the download each carried the bearer token, and nothing was fetched twice.
                #expect(await log.gets("/v23.0/1003383421387256").map(\.authorization) == ["Bearer wa-token"])
                #expect(await log.gets("/whatsapp/download/1003383421387256").count == 1)

                // Visibility follows the conversation: once it belongs to a team the agent is not in, the media is hidden too.
                let agent = APICaller(client, try await fixtures.user(in: fixture.tenant, role: .agent))
                #expect(try await agent.get("/v1/media/\(id)").status == .ok)
                let team = try #require(try await admin.post("/v1/teams", #"{"name":"Night desk"}"#).json["id"].string)
                #expect(try await admin.post("/v1/conversations/\(conversation)/assign", #"{"team_id":"\#(team)"}"#).status == .ok)
                #expect(try await agent.get("/v1/media/\(id)").status == .notFound)
                #expect(try await agent.get("/v1/media/\(id)/content").status == .notFound)
                #expect(try await admin.get("/v1/media/\(UUID().uuidString)").json["error"]["code"].string == "not_found")
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("an expired WhatsApp download URL (403) is looked up again within the same attempt")
    func whatsAppExpiredURL() async throws {
        let directory = MediaSamples.directory()
        let jpeg = MediaSamples.jpeg(seed: 9)
        try await FakeProvider.run { baseURL, log in
            await log.serve("/v23.0/555", .json(#"{"url":"\#(baseURL)/whatsapp/download/555","id":"555"}"#, authorization: "Bearer wa-token"))
            await log.serve("/whatsapp/download/555", FakeResponse(body: jpeg, requiredAuthorization: "Bearer wa-token"))
            await log.failNext([403], path: "/whatsapp/download/555")
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: Self.whatsAppCredentials)
                let webhook = MediaSamples.whatsAppImage(messageID: "wamid.IMG2", mediaID: "555", sha256: MediaSamples.sha256Base64(jpeg))
                #expect(try await WebhookTests.postSigned(client, hook.url, webhook).status == .ok)
                let id = try #require(try await MediaSamples.onlyMedia(admin).media["id"].string)
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "fetched")
                #expect(media["attempts"].int == 1)
                #expect(await log.gets("/v23.0/555").count == 2)
                #expect(await log.gets("/whatsapp/download/555").count == 2)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a Telegram photo: getFile with the bot token, then the file path; the type comes from the bytes")
    func telegramPhoto() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await log.serve("/bot123:ABC/getFile", .json(#"{"ok":true,"result":{"file_id":"large","file_unique_id":"b","file_size":\#(MediaSamples.png.count),"file_path":"photos/file_7.jpg"}}"#))
            await log.serve("/file/bot123:ABC/photos/file_7.jpg", FakeResponse(body: MediaSamples.png))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let bot = try await WebhookTests.createAdapter(admin, provider: "telegram", credentials: #"{"bot_token":"123:ABC","secret_token":"tg_secret-1"}"#)
                let update = #"{"update_id":2,"message":{"message_id":7,"date":1700000000,"chat":{"id":1111111,"type":"private","first_name":"Ana"},"caption":"Done","photo":[{"file_id":"small","file_unique_id":"a","width":90,"height":90},{"file_id":"large","file_unique_id":"b","width":1280,"height":960}]}}"#
                let accepted = try await client.execute(uri: bot.url, method: .post,
                    headers: [.contentType: "application/json", .telegramSecretToken: "tg_secret-1"], body: ByteBuffer(string: update)) { $0 }
                #expect(accepted.status == .ok)
                let id = try #require(try await MediaSamples.onlyMedia(admin).media["id"].string)
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "fetched")
                // Telegram named it .jpg, but the bytes are a PNG: the bytes win.
                #expect(media["content_type"].string == "image/png")
                #expect(media["sha256"].string == MediaSamples.sha256Hex(MediaSamples.png))
                #expect(await log.gets("/bot123:ABC/getFile").map(\.query) == ["file_id=large"])
                let content = try await admin.get("/v1/media/\(id)/content")
                #expect(content.headers[.contentType] == "image/png")
                #expect(Array(buffer: content.body) == MediaSamples.png)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a Twilio MMS: basic auth to Twilio's media URL, then a redirect to storage that gets no credentials")
    func twilioMMS() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            let mediaPath = "/2010-04-01/Accounts/AC123/Messages/MM1/Media/ME1"
            let basic = "Basic " + Data("AC123:twilio-token".utf8).base64EncodedString()
            // Another origin for the same fake (localhost, not 127.0.0.1): credentials must not follow the redirect.
            let storage = baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost") + "/storage/ME1"
            await log.serve(mediaPath, .redirect(storage, authorization: basic))
            await log.serve("/storage/ME1", FakeResponse(contentType: "application/pdf", body: MediaSamples.pdf, refuseAuthorization: true))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let sms = try await WebhookTests.createAdapter(admin, provider: "sms", credentials: #"{"account_sid":"AC123","auth_token":"twilio-token"}"#)
                let fields = [
                    FormField("MessageSid", "MM1"), FormField("From", "+34600111222"), FormField("To", "+34900000000"),
                    FormField("Body", "Albarán firmado"), FormField("NumMedia", "1"),
                    FormField("MediaUrl0", baseURL + mediaPath), FormField("MediaContentType0", "application/pdf"),
                ]
                let signature = TwilioSignature.sign(url: "http://localhost:8080" + sms.url, parameters: fields, authToken: "twilio-token")
                let response = try await client.execute(uri: sms.url, method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name(TwilioSignature.headerName)!: signature],
                    body: ByteBuffer(bytes: FormEncoding.encode(fields))) { $0 }
                #expect(response.status == .ok)
                let (conversation, summary) = try await MediaSamples.onlyMedia(admin)
                let id = try #require(summary["id"].string)
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "fetched", "\(media)")
                #expect(media["content_type"].string == "application/pdf")
                #expect(media["declared_type"].string == "application/pdf")
                #expect(media["size"].int == MediaSamples.pdf.count)
                #expect(await log.gets(mediaPath).map(\.authorization) == [basic])
                #expect(await log.gets("/storage/ME1").map(\.authorization) == [nil])
                let message = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
                #expect(message["kind"].string == "document")
                #expect(Array(buffer: try await admin.get("/v1/media/\(id)/content").body) == MediaSamples.pdf)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a 5xx is retried with backoff, the error visible meanwhile, and then succeeds (Messenger attachment, plain GET)")
    func retriesThenSucceeds() async throws {
        let directory = MediaSamples.directory()
        let jpeg = MediaSamples.jpeg(seed: 3)
        try await FakeProvider.run { baseURL, log in
            await log.serve("/cdn/photo.jpg", FakeResponse(contentType: "image/jpeg", body: jpeg, refuseAuthorization: true))
            // Two refusals keep it pending for seconds (the backoff is 1 s then 2 s, ±50 %), so a
            // loaded machine still sees the pending state between them.
            await log.failNext([503, 503], path: "/cdn/photo.jpg")
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let page = try await WebhookTests.createAdapter(admin, provider: "messenger", credentials: Self.whatsAppCredentials)
                let webhook = MediaSamples.messengerAttachment(mid: "mid.1", url: baseURL + "/cdn/photo.jpg")
                #expect(try await WebhookTests.postSigned(client, page.url, webhook).status == .ok)
                let id = try #require(try await MediaSamples.onlyMedia(admin).media["id"].string)
                // After the 503 the media stays pending and says why.
                #expect(try await eventually { try await admin.get("/v1/media/\(id)").json["error"].string?.contains("503") == true })
                #expect(try await admin.get("/v1/media/\(id)").json["status"].string == "pending")
                #expect(try await admin.get("/v1/media/\(id)/content").json["error"]["code"].string == "media_not_fetched")
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "fetched")
                #expect(media["attempts"].int == 3)
                #expect(media["error"].isNull)
                #expect(await log.gets("/cdn/photo.jpg").count == 3)
                #expect(Array(buffer: try await admin.get("/v1/media/\(id)/content").body) == jpeg)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a provider that keeps failing is dead-lettered after the attempt limit, the error on the media")
    func deadLetters() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await log.serve("/cdn/down.jpg", FakeResponse(body: MediaSamples.jpeg()))
            await log.failNext([500, 502, 503, 504], path: "/cdn/down.jpg")
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let page = try await WebhookTests.createAdapter(admin, provider: "messenger", credentials: Self.whatsAppCredentials)
                #expect(try await WebhookTests.postSigned(client, page.url, MediaSamples.messengerAttachment(mid: "mid.2", url: baseURL + "/cdn/down.jpg")).status == .ok)
                let id = try #require(try await MediaSamples.onlyMedia(admin).media["id"].string)
                _ = try await eventually(seconds: 20) { try await admin.get("/v1/media/\(id)").json["status"].string != "pending" }
                let media = try await admin.get("/v1/media/\(id)").json
                #expect(media["status"].string == "failed")
                #expect(media["error"].string?.contains("503") == true)
                #expect(media["attempts"].int == 3)
                #expect(await log.gets("/cdn/down.jpg").count == 3)
                let dead = try await fixtures.database.client.query(
                    "SELECT count(*)::int FROM outbox WHERE topic = 'media.fetch' AND dead_at IS NOT NULL", logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
                #expect(dead == 1)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a file above MEDIA_MAX_BYTES is refused while streaming, once, and nothing is stored")
    func oversized() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await log.serve("/cdn/huge.jpg", FakeResponse(contentType: "image/jpeg", body: MediaSamples.jpeg(size: 50_000), chunked: true))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory, maxBytes: 10_000)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let page = try await WebhookTests.createAdapter(admin, provider: "messenger", credentials: Self.whatsAppCredentials)
                #expect(try await WebhookTests.postSigned(client, page.url, MediaSamples.messengerAttachment(mid: "mid.3", url: baseURL + "/cdn/huge.jpg")).status == .ok)
                let (conversation, summary) = try await MediaSamples.onlyMedia(admin)
                let id = try #require(summary["id"].string)
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "failed")
                #expect(media["error"].string == "refused: the file is larger than the limit of 10000 bytes")
                #expect(media["sha256"].isNull)
                #expect(media["attempts"].int == 1)
                // A refusal is permanent: no second download.
                try await Task.sleep(for: .milliseconds(300))
                #expect(await log.gets("/cdn/huge.jpg").count == 1)
                let content = try await admin.get("/v1/media/\(id)/content")
                #expect(content.status == .notFound)
                #expect(content.json["error"]["message"].string?.contains("larger than the limit") == true)
                #expect(try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]["media"]["status"].string == "failed")
                #expect(MediaSamples.files(in: directory, "objects").isEmpty)
                #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("bytes that are not the declared media type (an HTML page announced as a JPEG) are refused")
    func wrongMagic() async throws {
        let directory = MediaSamples.directory()
        let html = Array("<!DOCTYPE html><html><head><title>Login</title></head><body>Please sign in</body></html>".utf8)
        try await FakeProvider.run { baseURL, log in
            await log.serve("/v23.0/777", .json(#"{"url":"\#(baseURL)/whatsapp/download/777","id":"777"}"#, authorization: "Bearer wa-token"))
            await log.serve("/whatsapp/download/777", FakeResponse(contentType: "image/jpeg", body: html))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: Self.whatsAppCredentials)
                let webhook = MediaSamples.whatsAppImage(messageID: "wamid.IMG3", mediaID: "777", sha256: MediaSamples.sha256Base64(html))
                #expect(try await WebhookTests.postSigned(client, hook.url, webhook).status == .ok)
                let id = try #require(try await MediaSamples.onlyMedia(admin).media["id"].string)
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "failed")
                #expect(media["error"].string == "refused: the content is not a recognised media type (the provider declared image/jpeg)")
                #expect(media["content_type"].isNull)
                #expect(await log.gets("/whatsapp/download/777").count == 1)
                #expect(MediaSamples.files(in: directory, "objects").isEmpty)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
