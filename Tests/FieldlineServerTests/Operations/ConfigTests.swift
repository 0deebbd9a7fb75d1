import FieldlineDomain
import Foundation
import Testing
@testable import FieldlineServer

@Suite("Configuration")
struct ConfigTests {
    static let valid: [String: String] = [
        "DATABASE_URL": "postgres://fieldline:secret@db.internal:6543/fieldline?sslmode=require",
        "JWT_SECRET": String(repeating: "s", count: 32),
        "MASTER_KEY": String(repeating: "ab", count: 32),
    ]

    @Test("valid settings parse with defaults")
    func valid() throws {
        let config = try AppConfig.fromEnvironment(Self.valid)
        #expect(config.database.host == "db.internal")
        #expect(config.database.port == 6543)
        #expect(config.database.password == "secret")
        #expect(config.database.requireTLS)
        #expect(config.port == 8080)
        #expect(config.sqlDir == "sql")
        #expect(config.masterKey.count == 32)
        #expect(config.streamPoolSize == 4)
        #expect(config.streamSweepInterval == .seconds(5))
    }

    @Test("the live stream's pool and sweep are configurable")
    func streamSettings() throws {
        var env = Self.valid
        env["STREAM_POOL_SIZE"] = "2"
        env["STREAM_SWEEP_SECONDS"] = "30"
        let config = try AppConfig.fromEnvironment(env)
        #expect(config.streamPoolSize == 2)
        #expect(config.streamSweepInterval == .seconds(30))
    }

    @Test("issue 15's settings: proxies, rate limits, login waits, account cache, watchdog, retention")
    func securitySettings() throws {
        let defaults = try AppConfig.fromEnvironment(Self.valid)
        #expect(defaults.trustedProxies == TrustedProxies())
        #expect(defaults.rateLimits == RateLimits())
        #expect(defaults.loginMaxDelay == .seconds(300))
        #expect(defaults.accountCacheTTL == .seconds(5))
        #expect(defaults.streamPublishTimeout == .seconds(10))
        #expect(defaults.retention == RetentionSettings())
        var env = Self.valid
        env["TRUSTED_PROXIES"] = " 10.0.0.0/8, ::1 "
        env["RATE_LIMIT_API_KEY_PER_MINUTE"] = "60"
        env["RATE_LIMIT_USER_PER_MINUTE"] = "0"
        env["RATE_LIMIT_WEBHOOK_PER_MINUTE"] = "100"
        env["RATE_LIMIT_APP_MESSAGES_PER_MINUTE"] = "10"
        env["LOGIN_MAX_DELAY_SECONDS"] = "60"
        env["ACCOUNT_CACHE_SECONDS"] = "0"
        env["STREAM_PUBLISH_TIMEOUT_SECONDS"] = "3"
        env["STREAM_EVENTS_RETENTION_DAYS"] = "2"
        env["OUTBOX_DONE_RETENTION_DAYS"] = "3"
        env["OUTBOX_DEAD_RETENTION_DAYS"] = "4"
        env["IDEMPOTENCY_RETENTION_HOURS"] = "48"
        env["RETENTION_BATCH_SIZE"] = "500"
        env["RETENTION_INTERVAL_SECONDS"] = "0"
        let config = try AppConfig.fromEnvironment(env)
        #expect(config.trustedProxies.blocks.count == 2)
        #expect(config.rateLimits == RateLimits(
            apiKey: RateLimit(perMinute: 60), user: .off, webhook: RateLimit(perMinute: 100), appMessages: RateLimit(perMinute: 10)))
        #expect(config.loginMaxDelay == .seconds(60))
        #expect(config.accountCacheTTL == .zero)
        #expect(config.streamPublishTimeout == .seconds(3))
        #expect(config.retention.streamEvents == .seconds(2 * 86_400))
        #expect(config.retention.outboxDone == .seconds(3 * 86_400))
        #expect(config.retention.outboxDead == .seconds(4 * 86_400))
        #expect(config.retention.idempotencyKeys == .seconds(48 * 3600))
        #expect(config.retention.batchSize == 500)
        #expect(config.retention.interval == .zero)
    }

    @Test("the HTTP server's timeouts and head limits are configurable, with defaults")
    func httpLimits() throws {
        #expect(try AppConfig.fromEnvironment(Self.valid).http == HTTPLimits())
        var env = Self.valid
        env["HTTP_IDLE_TIMEOUT_SECONDS"] = "30"
        env["HTTP_HEADER_TIMEOUT_SECONDS"] = "5"
        env["HTTP_MAX_HEADER_BYTES"] = "8192"
        env["HTTP_MAX_HEADERS"] = "50"
        let http = try AppConfig.fromEnvironment(env).http
        #expect(http.idleTimeout == .seconds(30))
        #expect(http.headerTimeout == .seconds(5))
        #expect(http.maxHeaderBytes == 8192)
        #expect(http.maxHeaderCount == 50)
    }

    @Test("each bad setting is one clear error naming the variable", arguments: [
        ("DATABASE_URL", nil, "is not set"),
        ("DATABASE_URL", "mysql://x@y/z", "postgres://"),
        ("DATABASE_URL", "postgres://user@host", "names no database"),
        ("JWT_SECRET", "short", "at least 32 bytes"),
        ("JWT_SECRET", nil, "is not set"),
        ("MASTER_KEY", "not-a-key", "32 bytes"),
        ("PORT", "eighty", "whole number"),
        ("PORT", "70000", "whole number"),
        ("PUBLIC_URL", "ftp://x", "http(s) URL"),
        ("BCRYPT_COST", "2", "whole number from 4"),
        ("STREAM_POOL_SIZE", "0", "whole number from 1"),
        ("STREAM_SWEEP_SECONDS", "0", "whole number from 1"),
        ("HTTP_IDLE_TIMEOUT_SECONDS", "0", "whole number from 1"),
        ("HTTP_HEADER_TIMEOUT_SECONDS", "301", "whole number from 1"),
        ("HTTP_MAX_HEADER_BYTES", "100", "whole number from 1024"),
        ("HTTP_MAX_HEADERS", "5000", "whole number from 10"),
        ("TRUSTED_PROXIES", "10.0.0.0/8,proxy.local", "'proxy.local' is neither"),
        ("TRUSTED_PROXIES", "10.0.0.0/40", "'10.0.0.0/40' is neither"),
        ("RATE_LIMIT_USER_PER_MINUTE", "-1", "whole number from 0"),
        ("IDEMPOTENCY_RETENTION_HOURS", "1", "whole number from 24"),
        ("ACCOUNT_CACHE_SECONDS", "301", "whole number from 0"),
    ] as [(String, String?, String)])
    func invalid(variable: String, value: String?, expected: String) throws {
        var env = Self.valid
        env[variable] = value
        let error = #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(env) }
        #expect(error?.variable == variable)
        #expect(error?.description.hasPrefix("configuration error: \(variable) ") == true)
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
    }

    @Test("MASTER_KEY also accepts base64")
    func base64Key() throws {
        var env = Self.valid
        env["MASTER_KEY"] = Data(repeating: 9, count: 32).base64EncodedString()
        #expect(try AppConfig.fromEnvironment(env).masterKey == Array(repeating: 9, count: 32))
    }
}
