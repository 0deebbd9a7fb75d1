import FieldlineChannels
import FieldlineDomain
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

@Suite("Inbound media: announced sizes and provider hashes")
struct MediaIntegrityTests {
    static let credentials = MediaFetchTests.whatsAppCredentials

    @Test("a size WhatsApp announces above the limit is refused before anything is downloaded")
    func announcedSizeTooLarge() async throws {
        let directory = MediaSamples.directory()
        try await FakeProvider.run { baseURL, log in
            await log.serve("/v23.0/888", .json(#"{"url":"\#(baseURL)/whatsapp/download/888","id":"888","file_size":"50000000"}"#, authorization: "Bearer wa-token"))
            await log.serve("/whatsapp/download/888", FakeResponse(body: MediaSamples.jpeg()))
            try await TestApp.run(configure: MediaSamples.configure(baseURL, mediaDir: directory, maxBytes: 1_000_000)) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: Self.credentials)
                let webhook = MediaSamples.whatsAppImage(messageID: "wamid.BIG", mediaID: "888", sha256: "x")
                #expect(try await WebhookTests.postSigned(client, hook.url, webhook).status == .ok)
                let id = try #require(try await MediaSamples.onlyMedia(admin).media["id"].string)
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "failed")
                #expect(media["error"].string == "refused: the file is larger than the limit of 1000000 bytes")
                #expect(await log.gets("/whatsapp/download/888").isEmpty)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("bytes whose SHA-256 differs from the one WhatsApp announced are not stored as fetched")
    func hashMismatch() async throws {
        let directory = MediaSamples.directory()
        let jpeg = MediaSamples.jpeg(seed: 5)
        try await FakeProvider.run { baseURL, log in
            await log.serve("/v23.0/999", .json(#"{"url":"\#(baseURL)/whatsapp/download/999","id":"999"}"#, authorization: "Bearer wa-token"))
            await log.serve("/whatsapp/download/999", FakeResponse(body: jpeg))
            let configure = MediaSamples.configure(baseURL, mediaDir: directory)
            try await TestApp.run(configure: { config in configure(&config); config.outboxMaxAttempts = 1 }) { client, fixtures in
                let admin = APICaller(client, try await fixtures.tenant())
                let hook = try await WebhookTests.createAdapter(admin, provider: "whatsapp", credentials: Self.credentials)
                let otherFile = MediaSamples.sha256Base64(MediaSamples.jpeg(seed: 6))
                #expect(try await WebhookTests.postSigned(client, hook.url, MediaSamples.whatsAppImage(messageID: "wamid.SHA", mediaID: "999", sha256: otherFile)).status == .ok)
                let id = try #require(try await MediaSamples.onlyMedia(admin).media["id"].string)
                let media = try await MediaSamples.settled(admin, id)
                #expect(media["status"].string == "failed")
                #expect(media["error"].string == "the SHA-256 of the bytes received does not match the provider's")
                #expect(media["sha256"].isNull)
                #expect(MediaSamples.files(in: directory, "objects").isEmpty)
                #expect(MediaSamples.files(in: directory, "tmp").isEmpty)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("a provider's SHA-256 is read as Base64 (WhatsApp) or hex; anything else is ignored")
    func providerHashFormats() {
        let bytes = Array("fieldline".utf8)
        let hex = MediaSamples.sha256Hex(bytes)
        #expect(MediaReference.hexSHA256(MediaSamples.sha256Base64(bytes)) == hex)
        #expect(MediaReference.hexSHA256(hex.uppercased()) == hex)
        #expect(MediaReference.hexSHA256("SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=")?.count == 64)
        #expect(MediaReference.hexSHA256("not-a-hash") == nil)
        #expect(MediaReference.hexSHA256(Data("short".utf8).base64EncodedString()) == nil)
    }
}
