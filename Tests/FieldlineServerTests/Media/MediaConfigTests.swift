import FieldlineDomain
import Foundation
import Testing
@testable import FieldlineServer

@Suite("Media configuration")
struct MediaConfigTests {
    @Test("defaults: 16 MiB and every recognised type")
    func defaults() throws {
        let config = try AppConfig.fromEnvironment(ConfigTests.valid)
        #expect(config.mediaPolicy.maxBytes == 16 * 1024 * 1024)
        #expect(config.mediaPolicy.allowedTypes == Set(MediaPolicy.defaultAllowedTypes))
        #expect(config.mediaDir == ".data/media")
    }

    @Test("MEDIA_MAX_BYTES, MEDIA_ALLOWED_TYPES and MEDIA_DIR are read and normalised")
    func reads() throws {
        var env = ConfigTests.valid
        env["MEDIA_MAX_BYTES"] = "5000000"
        env["MEDIA_ALLOWED_TYPES"] = "Image/JPEG, image/png ,application/pdf"
        env["MEDIA_DIR"] = "/var/lib/fieldline/media"
        let config = try AppConfig.fromEnvironment(env)
        #expect(config.mediaPolicy.maxBytes == 5_000_000)
        #expect(config.mediaPolicy.allowedTypes == ["image/jpeg", "image/png", "application/pdf"])
        #expect(config.mediaDir == "/var/lib/fieldline/media")
    }

    @Test("bad media settings are one clear error naming the variable", arguments: [
        ("MEDIA_MAX_BYTES", "0", "whole number from 1"),
        ("MEDIA_MAX_BYTES", "16MB", "whole number"),
        ("MEDIA_ALLOWED_TYPES", "image/jpeg,text/html", "'text/html', which is not a recognised media type"),
        ("MEDIA_ALLOWED_TYPES", ",", "at least one content type"),
    ])
    func invalid(variable: String, value: String, expected: String) throws {
        var env = ConfigTests.valid
        env[variable] = value
        let error = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(env) }
        #expect(error?.variable == variable)
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }
}
