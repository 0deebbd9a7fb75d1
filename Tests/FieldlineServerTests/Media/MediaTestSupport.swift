import FieldlineChannels
import FieldlineDomain
import FieldlineTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FieldlineServer

/// Sample files and helpers for the media fetch tests.
enum MediaSamples {
    /// A real JPEG (scene `seed`, decodable), padded after its end marker to `size` bytes so
    /// the tests' size limits stay exact; different seeds are different photos.
    static func jpeg(size: Int = 3000, seed: UInt8 = 1) -> [UInt8] {
        let photo = TestImages.photo(variant: Int(seed), width: 48, height: 32, quality: 70)
        precondition(photo.count <= size, "the sample photo is larger than \(size) bytes")
        return photo + (0..<(size - photo.count)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    /// A real PNG.
    static let png: [UInt8] = TestImages.png(TestImages.scene(width: 40, height: 30, variant: 7), width: 40, height: 30)
    static let pdf: [UInt8] = Array("%PDF-1.7\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\n".utf8) + Array(repeating: 0x20, count: 500)

    /// Lowercase hex SHA-256 (the same function Twilio's `bodySHA256` uses).
    static func sha256Hex(_ bytes: [UInt8]) -> String { TwilioSignature.bodySHA256(bytes) }

    /// Base64 SHA-256, as WhatsApp announces it.
    static func sha256Base64(_ bytes: [UInt8]) -> String {
        let hex = Array(sha256Hex(bytes).utf8)
        let raw = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
        return Data(raw).base64EncodedString()
    }

    /// A test configuration that sends every provider call to the fake provider and keeps media in its own folder.
    static func configure(_ baseURL: String, mediaDir: String, maxBytes: Int64 = 16 * 1024 * 1024) -> (inout AppConfig) -> Void {
        { config in
            config.providerURLs = ProviderURLs(whatsapp: baseURL, telegram: baseURL, twilio: baseURL, messenger: baseURL)
            config.outboxPollInterval = .milliseconds(20)
            config.outboxMaxAttempts = 3
            config.mediaDir = mediaDir
            config.mediaPolicy = MediaPolicy(maxBytes: maxBytes)
        }
    }

    /// A fresh folder for one test's media.
    static func directory() -> String {
        NSTemporaryDirectory() + "fieldline-media-test-\(UUID().uuidString)"
    }

    /// Files under `directory/sub`, recursively (relative paths).
    static func files(in directory: String, _ sub: String) -> [String] {
        let root = directory + "/" + sub
        let items = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return items.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// A WhatsApp image webhook (the published example's shape, vectors.json) for `mediaID`.
    static func whatsAppImage(messageID: String, mediaID: String, sha256: String, mimeType: String = "image/jpeg") -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"\#(messageID)","timestamp":"1744344496","type":"image","image":{"caption":"Taj Mahal","mime_type":"\#(mimeType)","sha256":"\#(sha256)","id":"\#(mediaID)"}}]},"field":"messages"}]}]}"#
    }

    /// A Messenger webhook with one attachment at `url`.
    static func messengerAttachment(mid: String, url: String, type: String = "image") -> String {
        #"{"object":"page","entry":[{"id":"682498302938465","time":1518479195594,"messaging":[{"sender":{"id":"PSID-77"},"recipient":{"id":"682498302938465"},"timestamp":1518479195308,"message":{"mid":"\#(mid)","attachments":[{"type":"\#(type)","payload":{"url":"\#(url)"}}]}}]}]}"#
    }

    /// The media of the only message of the only conversation.
    static func onlyMedia(_ admin: APICaller) async throws -> (conversation: String, media: JSON) {
        let conversation = try #require(try await admin.get("/v1/conversations").json["data"][0]["id"].string)
        let message = try await admin.get("/v1/conversations/\(conversation)/messages").json["data"][0]
        return (conversation, message["media"])
    }

    /// The media item once it is no longer pending (or the last pending state after the timeout).
    static func settled(_ admin: APICaller, _ id: String) async throws -> JSON {
        _ = try await eventually { try await admin.get("/v1/media/\(id)").json["status"].string != "pending" }
        return try await admin.get("/v1/media/\(id)").json
    }
}
