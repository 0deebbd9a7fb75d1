import FieldlineChannels
import FieldlineDomain
import Foundation

/// Everything the server needs to start, read from environment variables and validated up
/// front so a bad setting stops the process with one clear line instead of a crash later.
public struct AppConfig: Sendable {
    /// Where PostgreSQL is.
    public var database: DatabaseSettings
    /// Address to bind.
    public var host: String
    /// Port to bind.
    public var port: Int
    /// The externally visible base URL (used in webhook URLs shown to admins).
    public var publicURL: String
    /// HMAC secret for agent tokens; at least 32 bytes.
    public var jwtSecret: String
    /// Lifetime of an agent token.
    public var jwtTTL: Duration
    /// 32-byte key that encrypts adapter credentials at rest.
    public var masterKey: [UInt8]
    /// Folder for media files when no object store is configured (with S3: the spool of files
    /// on their way up).
    public var mediaDir: String
    /// The S3-compatible store media go to (`MEDIA_STORE=s3`); nil keeps them under `mediaDir`.
    public var mediaS3: S3Settings?
    /// Folder holding the numbered `.sql` migrations.
    public var sqlDir: String
    /// bcrypt work factor for new password hashes (4–31).
    public var bcryptCost: UInt8
    /// Failed logins of an account within `loginWindow` before each further one makes the next
    /// attempt wait (five times as many per client address).
    public var loginMaxFailures: Int
    /// The window over which failed logins are counted.
    public var loginWindow: Duration
    /// The longest wait between two attempts after failed logins (the waits double up to it).
    public var loginMaxDelay: Duration = .seconds(300)
    /// Maximum PostgreSQL connections this instance opens.
    public var databasePoolSize: Int
    /// Where each provider's API is (configurable so tests and staging use a fake provider).
    public var providerURLs = ProviderURLs()
    /// Send attempts before an outbox row is dead-lettered.
    public var outboxMaxAttempts = 8
    /// How long a claimed outbox row stays invisible to other workers: a worker that dies
    /// mid-work (a `kill -9`, a lost host) leaves its rows to be retried after this.
    public var outboxLease: Duration = .seconds(60)
    /// How often an idle outbox worker looks for work.
    public var outboxPollInterval: Duration = .milliseconds(250)
    /// The size limit and content-type allow-list of fetched inbound media.
    public var mediaPolicy = MediaPolicy(maxBytes: 16 * 1024 * 1024)
    /// How long an opened adapter account (decrypted credentials) is reused by the webhook path;
    /// zero turns the cache off. Also how long other instances may accept a disabled adapter's webhooks.
    public var adapterCacheTTL: Duration = .seconds(30)
    /// How long a user's role and disabled state are reused between requests; zero reads them on
    /// every request. Changes made through this instance (and, by notification, through others)
    /// take effect at once; this bounds the delay if a notification is missed.
    public var accountCacheTTL: Duration = .seconds(5)
    /// Connections of the live streams' own pool (beside `databasePoolSize`).
    public var streamPoolSize = 4
    /// How often the stream publisher sweeps every tenant for events a stopped writer left unpublished.
    public var streamSweepInterval: Duration = .seconds(5)
    /// Outgoing webhooks: retry schedule, timeout, per-endpoint concurrency, when to disable.
    public var webhooks = WebhookSettings()
    /// Outbox rows worked on at once by one instance: a slow one holds its own slot only.
    public var outboxConcurrency = 32
    /// Seconds a caught-up poller of `GET /v1/events` is asked to wait (`X-Poll-Interval`).
    public var eventPollInterval = 5
    /// The stream publisher's watchdog: a connect or publication silent for this long has its
    /// connection dropped and replaced.
    public var streamPublishTimeout: Duration = .seconds(10)
    /// How long stream events, finished outbox rows and idempotency keys are kept.
    public var retention = RetentionSettings()
    /// How long an `Idempotency-Key` claimed outside its route's transaction may stay in progress
    /// before a retry takes it over (its server died mid-request): longer than any request runs.
    public var idempotencyInProgress: Duration = .seconds(120)
    /// Most inbound messages stored in one transaction (group commit, see `IngestBatcher`).
    public var ingestBatchSize = 64
    /// How long an ingest transaction may take before its webhooks are answered 500 (providers
    /// retry; the message is stored once by its id): `INGEST_STORE_TIMEOUT_SECONDS`.
    public var ingestStoreTimeout: Duration = .seconds(15)
    /// Most ingest transactions of one tenant running at once; messages arriving while they are
    /// busy gather into the next batch.
    public var ingestBatchesPerTenant = 1
    /// Most ingest transactions running at once, all tenants together. Each holds one of the
    /// `databasePoolSize` connections.
    public var ingestBatchesInFlight = 4
    /// Request budgets per API key, user, adapter and for `/v1/app/messages`.
    var rateLimits = RateLimits()
    /// Reverse proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`); none by default.
    public var trustedProxies = TrustedProxies()
    /// Connection timeouts and request head limits of the HTTP server.
    public var http = HTTPLimits()

    /// Reads and validates the configuration.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        let reader = EnvironmentReader(env: env)
        let config = AppConfig(
            database: try DatabaseSettings(url: try reader.required("DATABASE_URL"), variable: "DATABASE_URL"),
            host: reader.string("HOST", default: "127.0.0.1"),
            port: try reader.int("PORT", default: 8080, range: 0...65535),
            publicURL: try reader.url("PUBLIC_URL", default: "http://localhost:8080"),
            jwtSecret: try reader.secret("JWT_SECRET", minimumBytes: 32),
            jwtTTL: .seconds(try reader.int("JWT_TTL_SECONDS", default: 900, range: 60...86_400)),
            masterKey: try reader.key("MASTER_KEY", bytes: 32),
            mediaDir: reader.string("MEDIA_DIR", default: ".data/media"),
            sqlDir: reader.string("SQL_DIR", default: "sql"),
            bcryptCost: UInt8(try reader.int("BCRYPT_COST", default: 12, range: 4...31)),
            loginMaxFailures: try reader.int("LOGIN_MAX_FAILURES", default: 10, range: 1...1000),
            loginWindow: .seconds(try reader.int("LOGIN_WINDOW_SECONDS", default: 900, range: 1...86_400)),
            databasePoolSize: try reader.int("DATABASE_POOL_SIZE", default: 20, range: 1...500)
        )
        var withProviders = config
        for adapter in ChannelProvider.adapters {
            withProviders.providerURLs.byProvider[adapter.provider] =
                try reader.url(adapter.apiBaseURLVariable, default: adapter.defaultAPIBaseURL)
        }
        withProviders.adapterCacheTTL = .seconds(try reader.int("ADAPTER_CACHE_SECONDS", default: 30, range: 0...3600))
        withProviders.loginMaxDelay = .seconds(try reader.int("LOGIN_MAX_DELAY_SECONDS", default: 300, range: 1...3600))
        withProviders.accountCacheTTL = .seconds(try reader.int("ACCOUNT_CACHE_SECONDS", default: 5, range: 0...300))
        withProviders.streamPoolSize = try reader.int("STREAM_POOL_SIZE", default: 4, range: 1...100)
        withProviders.streamSweepInterval = .seconds(try reader.int("STREAM_SWEEP_SECONDS", default: 5, range: 1...3600))
        withProviders.streamPublishTimeout = .seconds(try reader.int("STREAM_PUBLISH_TIMEOUT_SECONDS", default: 10, range: 1...600))
        withProviders.retention.streamEvents = .seconds(86_400 * (try reader.int("STREAM_EVENTS_RETENTION_DAYS", default: 7, range: 1...3650)))
        withProviders.retention.events = .seconds(86_400 * (try reader.int("EVENTS_RETENTION_DAYS", default: 30, range: 30...3650)))
        withProviders.retention.outboxDone = .seconds(86_400 * (try reader.int("OUTBOX_DONE_RETENTION_DAYS", default: 7, range: 1...3650)))
        withProviders.retention.outboxDead = .seconds(86_400 * (try reader.int("OUTBOX_DEAD_RETENTION_DAYS", default: 30, range: 1...3650)))
        withProviders.retention.idempotencyKeys = .seconds(3600 * (try reader.int("IDEMPOTENCY_RETENTION_HOURS", default: 24, range: 24...8760)))
        withProviders.retention.mediaOrphans = .seconds(3600 * (try reader.int("MEDIA_ORPHAN_HOURS", default: 24, range: 1...8760)))
        withProviders.idempotencyInProgress = .seconds(try reader.int("IDEMPOTENCY_IN_PROGRESS_SECONDS", default: 120, range: 10...86_400))
        withProviders.retention.batchSize = try reader.int("RETENTION_BATCH_SIZE", default: 1000, range: 10...100_000)
        withProviders.retention.interval = .seconds(try reader.int("RETENTION_INTERVAL_SECONDS", default: 300, range: 0...86_400))
        withProviders.ingestBatchSize = try reader.int("INGEST_BATCH_SIZE", default: 64, range: 1...1000)
        withProviders.ingestStoreTimeout = .seconds(try reader.int("INGEST_STORE_TIMEOUT_SECONDS", default: 15, range: 1...600))
        withProviders.ingestBatchesPerTenant = try reader.int("INGEST_BATCHES_PER_TENANT", default: 1, range: 1...100)
        withProviders.ingestBatchesInFlight = try reader.int("INGEST_BATCHES_IN_FLIGHT", default: 4, range: 1...100)
        withProviders.http.idleTimeout = .seconds(try reader.int("HTTP_IDLE_TIMEOUT_SECONDS", default: 60, range: 1...3600))
        withProviders.http.headerTimeout = .seconds(try reader.int("HTTP_HEADER_TIMEOUT_SECONDS", default: 10, range: 1...300))
        withProviders.http.maxHeaderBytes = try reader.int("HTTP_MAX_HEADER_BYTES", default: 32 * 1024, range: 1024...(1 << 20))
        withProviders.http.maxHeaderCount = try reader.int("HTTP_MAX_HEADERS", default: 100, range: 10...1000)
        withProviders.rateLimits = RateLimits(
            apiKey: RateLimit(perMinute: try reader.int("RATE_LIMIT_API_KEY_PER_MINUTE", default: 1200, range: 0...1_000_000)),
            user: RateLimit(perMinute: try reader.int("RATE_LIMIT_USER_PER_MINUTE", default: 600, range: 0...1_000_000)),
            webhook: RateLimit(perMinute: try reader.int("RATE_LIMIT_WEBHOOK_PER_MINUTE", default: 12_000, range: 0...1_000_000)),
            appMessages: RateLimit(perMinute: try reader.int("RATE_LIMIT_APP_MESSAGES_PER_MINUTE", default: 600, range: 0...1_000_000)))
        withProviders.trustedProxies = try reader.trustedProxies("TRUSTED_PROXIES")
        withProviders.outboxMaxAttempts = try reader.int("OUTBOX_MAX_ATTEMPTS", default: 8, range: 1...100)
        withProviders.outboxLease = .seconds(try reader.int("OUTBOX_LEASE_SECONDS", default: 60, range: 2...3600))
        withProviders.mediaPolicy = MediaPolicy(
            maxBytes: Int64(try reader.int("MEDIA_MAX_BYTES", default: 16 * 1024 * 1024, range: 1...(1 << 30))),
            allowedTypes: try reader.mediaTypes("MEDIA_ALLOWED_TYPES", default: MediaPolicy.defaultAllowedTypes))
        switch reader.string("MEDIA_STORE", default: "local") {
        case "local": break
        case "s3": withProviders.mediaS3 = try S3Settings.read(reader)
        default: throw ConfigError(variable: "MEDIA_STORE", problem: "must be local or s3")
        }
        return withProviders
    }
}

/// Base URLs of the providers' APIs (no trailing slash); request paths are appended.
public struct ProviderURLs: Sendable, Equatable {
    /// The URLs set explicitly; a provider not listed uses its adapter's public API.
    public var byProvider: [ChannelProvider: String]

    /// The defaults: the real providers.
    public init() {
        byProvider = [:]
    }

    /// Explicit URLs.
    public init(whatsapp: String, telegram: String, twilio: String, messenger: String) {
        byProvider = [.whatsapp: whatsapp, .telegram: telegram, .sms: twilio, .messenger: messenger]
    }

    /// The base URL requests for `provider` go to.
    public subscript(provider: ChannelProvider) -> String {
        byProvider[provider] ?? provider.adapter.defaultAPIBaseURL
    }
}

/// A configuration problem, naming the variable. Its description is the one line printed.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The environment variable at fault.
    public let variable: String
    /// What is wrong with it.
    public let problem: String

    /// An error about `variable`.
    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    /// `configuration error: VARIABLE problem`.
    public var description: String { "configuration error: \(variable) \(problem)" }
}

/// Typed access to environment variables with errors that name them.
struct EnvironmentReader {
    let env: [String: String]

    func value(_ name: String) -> String? {
        guard let raw = env[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }

    func required(_ name: String) throws -> String {
        guard let value = value(name) else { throw ConfigError(variable: name, problem: "is not set") }
        return value
    }

    func string(_ name: String, default fallback: String) -> String {
        value(name) ?? fallback
    }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = value(name) else { return fallback }
        guard let number = Int(raw), range.contains(number) else {
            throw ConfigError(variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(raw)'")
        }
        return number
    }

    func url(_ name: String, default fallback: String) throws -> String {
        let raw = value(name) ?? fallback
        guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ConfigError(variable: name, problem: "must be an http(s) URL, got '\(raw)'")
        }
        return raw.hasSuffix("/") ? String(raw.dropLast()) : raw
    }

    func secret(_ name: String, minimumBytes: Int) throws -> String {
        let secret = try required(name)
        guard secret.utf8.count >= minimumBytes else {
            throw ConfigError(variable: name, problem: "must be at least \(minimumBytes) bytes long (got \(secret.utf8.count)); generate one with: openssl rand -hex 32")
        }
        return secret
    }

    /// A comma-separated list of content types, each one that `MediaSniffer` can recognise.
    func mediaTypes(_ name: String, default fallback: [String]) throws -> [String] {
        guard let raw = value(name) else { return fallback }
        let types = raw.split(separator: ",").map { MediaSniffer.essence(String($0)) }.filter { !$0.isEmpty }
        let known = Set(MediaPolicy.defaultAllowedTypes)
        if let unknown = types.first(where: { !known.contains($0) }) {
            throw ConfigError(variable: name, problem: "names '\(unknown)', which is not a recognised media type; choose from: \(MediaPolicy.defaultAllowedTypes.joined(separator: ","))")
        }
        guard !types.isEmpty else { throw ConfigError(variable: name, problem: "must list at least one content type") }
        return types
    }

    /// A comma-separated list of CIDR blocks or addresses; empty when unset.
    func trustedProxies(_ name: String) throws -> TrustedProxies {
        guard let raw = value(name) else { return TrustedProxies() }
        switch TrustedProxies.parse(raw) {
        case .success(let proxies): return proxies
        case .failure(let invalid):
            throw ConfigError(variable: name, problem: "must list addresses or CIDR blocks such as 10.0.0.0/8 or ::1, separated by commas; '\(invalid.entry)' is neither")
        }
    }

    /// A key given as 64 hex characters or base64 of exactly `bytes` bytes.
    func key(_ name: String, bytes: Int) throws -> [UInt8] {
        let raw = try required(name)
        if raw.count == bytes * 2, let decoded = Self.hexBytes(raw) { return decoded }
        if let data = Data(base64Encoded: raw), data.count == bytes { return [UInt8](data) }
        throw ConfigError(variable: name, problem: "must be \(bytes) bytes as \(bytes * 2) hex characters or base64; generate one with: openssl rand -hex \(bytes)")
    }

    static func hexBytes(_ hex: String) -> [UInt8]? {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }
}
