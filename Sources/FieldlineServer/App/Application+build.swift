import AsyncHTTPClient
import FieldlineDomain
import Foundation
import Hummingbird
import HummingbirdBcrypt
import HummingbirdWebSocket
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// The concrete application type, for tests and the CLI.
public typealias FieldlineApplication = Application<RouterResponder<AppRequestContext>>

/// Everything the routes depend on, built once per application.
struct AppDependencies: Sendable {
    let config: AppConfig
    let database: Database
    let migrations: [MigrationFile]
    let tokens: TokenService
    let metrics: PrometheusCollectorRegistry
    let passwordHasher: PasswordHasher
    /// Where media bytes live: built once from the configuration, shared by the fetcher and the API.
    let mediaStore: any SweepableMediaStore
    /// How every file (provider download or upload) enters `mediaStore`, with the evidence facts of photos.
    var mediaIntake: MediaIntake { MediaIntake(store: mediaStore, policy: config.mediaPolicy, inspector: PhotoInspector()) }
    /// This instance's connected live streams, woken by the `StreamListener` service.
    var streamHub = StreamHub()
    /// Users' current roles and states, shared by authentication, the users API and the listener.
    let accounts: AccountCache
    /// This instance's request budgets (per API key, user, adapter).
    let rateLimiter = RateLimiter()
    /// The live streams' own small pool, so requests filling the main pool never hold back
    /// the streams (nil: they share `database`).
    var streamDatabase: Database? = nil

    /// The dependencies of one application; the media store is made from `config`, once.
    init(
        config: AppConfig, database: Database, migrations: [MigrationFile], tokens: TokenService,
        metrics: PrometheusCollectorRegistry, passwordHasher: PasswordHasher
    ) {
        self.config = config
        self.database = database
        self.migrations = migrations
        self.tokens = tokens
        self.metrics = metrics
        self.passwordHasher = passwordHasher
        self.mediaStore = config.makeMediaStore()
        self.accounts = AccountCache(ttl: config.accountCacheTTL)
    }
}

/// Builds the Fieldline application: the same function serves the binary and the tests.
///
/// - Parameters:
///   - config: validated configuration.
///   - migrateOnStart: apply pending migrations before accepting requests (`serve --migrate`).
public func buildApplication(config: AppConfig, migrateOnStart: Bool = false, logger: Logger? = nil) async throws -> FieldlineApplication {
    let logger = logger ?? Logger(label: "fieldline")
    let migrations = try MigrationFile.load(from: config.sqlDir)
    let client = PostgresClient(
        configuration: config.database.clientConfiguration(poolSize: config.databasePoolSize),
        backgroundLogger: Logger(label: "fieldline.postgres"))
    let database = Database(client: client, logger: logger)
    await CitusWrites.detect(config.database, logger: logger)
    let streamClient = PostgresClient(
        configuration: config.database.clientConfiguration(poolSize: config.streamPoolSize),
        backgroundLogger: Logger(label: "fieldline.postgres.stream"))
    var dependencies = AppDependencies(
        config: config,
        database: database,
        migrations: migrations,
        tokens: await TokenService(secret: config.jwtSecret, ttl: config.jwtTTL),
        metrics: PrometheusCollectorRegistry(),
        passwordHasher: PasswordHasher(cost: config.bcryptCost))
    dependencies.streamDatabase = Database(client: streamClient, logger: logger, streamPublication: database.streamPublication)
    let router = try await buildRouter(dependencies)
    let adapters = PostgresAdaptersRepository(database: database, cipher: CredentialCipher(masterKey: config.masterKey))
    // Every outbox topic this server runs: one line per job (docs/outbox.md).
    var jobs = OutboxRegistry()
    jobs.register(SendMessage(sender: MessageSender(database: database, adapters: adapters, http: HTTPClient.shared, urls: config.providerURLs)))
    jobs.register(FetchMedia(fetcher: MediaFetcher(
        repository: PostgresMediaRepository(database: database), adapters: adapters,
        downloader: MediaDownloader(http: HTTPClient.media, intake: dependencies.mediaIntake, timeout: .seconds(45)),
        urls: config.providerURLs)))
    jobs.register(WakeConversation(database: database, snoozes: PostgresConversationsRepository(database: database)))
    jobs.register(DrainRoutingQueue(database: database))
    jobs.register(DispatchTick(database: database))
    jobs.register(SendOfferNotices(database: database))
    jobs.register(DeliverOffers(database: database))
    jobs.register(WithdrawOffers(database: database))
    jobs.register(FlowTimerJob(database: database))
    jobs.register(FlowHTTPJob(database: database))
    jobs.register(FlowJobStatusJob(database: database))
    let webhookEndpoints = PostgresWebhookEndpointsRepository(database: database, cipher: CredentialCipher(masterKey: config.masterKey))
    jobs.register(DeliverWebhooks(deliverer: WebhookDeliverer(database: database, endpoints: webhookEndpoints, settings: config.webhooks)))
    let outbox = OutboxWorker(
        store: OutboxStore(database: database), registry: jobs,
        maxAttempts: config.outboxMaxAttempts, lease: config.outboxLease, pollInterval: config.outboxPollInterval,
        concurrency: config.outboxConcurrency,
        logger: Logger(label: "fieldline.outbox"))
    var app = Application(
        router: router,
        server: .guardedHTTP1WebSocketUpgrade(
            webSocketRouter: dependencies.streamController.webSocketRouter(logger: logger), limits: config.http),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Fieldline"),
        services: [client, streamClient, outbox],
        logger: logger)
    app.addServices(StreamListener(settings: config.database, hub: dependencies.streamHub, accounts: dependencies.accounts, logger: logger))
    // After the client, so it stops before the pool does.
    app.addServices(StreamPublisher(
        settings: config.database, publication: database.streamPublication, logger: Logger(label: "fieldline.stream"),
        sweepInterval: config.streamSweepInterval, timeout: config.streamPublishTimeout))
    let retentionLogger = Logger(label: "fieldline.retention")
    let mediaSweep = OrphanMediaSweep(
        database: database, store: dependencies.mediaStore, age: config.retention.mediaOrphans, batchSize: config.retention.batchSize,
        logger: retentionLogger)
    app.addServices(RetentionWorker(database: database, settings: config.retention, logger: retentionLogger, mediaSweep: mediaSweep))
    if !CitusWrites.isKnown {
        app.addServices(CitusDetection(settings: config.database, logger: logger))
    }
    app.beforeServerStarts {
        guard migrateOnStart else { return }
        let applied = try await Migrator(client: client, files: migrations, logger: logger).migrate()
        logger.info("migrations: \(applied.count) applied, schema current")
    }
    return app
}

/// Builds the router with every route and middleware.
func buildRouter(_ dependencies: AppDependencies) async throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // Outermost, so error responses get it too.
    router.add(middleware: ContentTypeOptionsMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: HTTPMetricsMiddleware(registry: dependencies.metrics))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: NULGuardMiddleware())
    router.add(middleware: ClientAddressMiddleware(trustedProxies: dependencies.config.trustedProxies))

    let database = dependencies.database
    HealthController(database: database, migrations: dependencies.migrations, registry: dependencies.metrics)
        .addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    HomeController().addRoutes(to: router)

    let credentials = PostgresCredentialsRepository(database: database)
    let v1 = router.group("v1")
    AuthController(
        credentials: credentials, tokens: dependencies.tokens,
        throttle: LoginThrottle(
            database: database, freeFailures: dependencies.config.loginMaxFailures, window: dependencies.config.loginWindow,
            maxDelay: dependencies.config.loginMaxDelay),
        hasher: dependencies.passwordHasher,
        decoyHash: await dependencies.passwordHasher.hash(UUIDv7.make().uuidString)
    ).addRoutes(to: v1)

    let conversations = PostgresConversationsRepository(database: database)
    let adapters = CachedAdaptersRepository(
        base: PostgresAdaptersRepository(database: database, cipher: CredentialCipher(masterKey: dependencies.config.masterKey)),
        cache: AdapterAccountCache(ttl: dependencies.config.adapterCacheTTL))
    let pipeline = InboundPipeline.standard(database: database)
    let batcher = IngestBatcher(
        pipeline: pipeline, maxBatch: dependencies.config.ingestBatchSize,
        maxBatchesPerTenant: dependencies.config.ingestBatchesPerTenant, maxBatchesInFlight: dependencies.config.ingestBatchesInFlight,
        storeTimeout: dependencies.config.ingestStoreTimeout, metrics: dependencies.metrics)
    WebhooksController(
        adapters: adapters, processor: InboundProcessor(conversations: conversations, batcher: batcher),
        publicURL: dependencies.config.publicURL, limiter: dependencies.rateLimiter, limit: dependencies.config.rateLimits.webhook)
        .addRoutes(to: v1)

    // Signed links work without a login: the token is the authorisation.
    MediaLinkController(database: database, store: dependencies.mediaStore, links: MediaLinks(masterKey: dependencies.config.masterKey))
        .addRoutes(to: v1)
    SandboxController(
        adapters: adapters, phones: PostgresSandboxPhonesRepository(database: database), intake: dependencies.mediaIntake
    ).addRoutes(to: router, v1: v1)

    let api = v1.group()
        .add(middleware: AuthMiddleware(tokens: dependencies.tokens, credentials: credentials, accounts: dependencies.accounts))
        .add(middleware: RateLimitMiddleware(limiter: dependencies.rateLimiter, limits: dependencies.config.rateLimits))
        .add(middleware: IdempotencyMiddleware(repository: PostgresIdempotencyRepository(
            database: database, inProgressBound: dependencies.config.idempotencyInProgress)))
    OrganizationsController(repository: PostgresOrganizationsRepository(database: database)).addRoutes(to: api)
    MembersController(repository: PostgresMembersRepository(database: database)).addRoutes(to: api)
    CrewsController(repository: PostgresCrewsRepository(database: database)).addRoutes(to: api)
    ServiceAreasController(repository: PostgresServiceAreasRepository(database: database)).addRoutes(to: api)
    ConversationsController(repository: conversations).addRoutes(to: api)
    AppInboundController(pipeline: pipeline, limiter: dependencies.rateLimiter, limit: dependencies.config.rateLimits.appMessages).addRoutes(to: api)
    AdaptersController(repository: adapters, publicURL: dependencies.config.publicURL).addRoutes(to: api)
    UsersController(
        repository: PostgresUsersRepository(database: database), hasher: dependencies.passwordHasher,
        accounts: dependencies.accounts, streams: dependencies.streamHub).addRoutes(to: api)
    TeamsController(repository: PostgresTeamsRepository(database: database)).addRoutes(to: api)
    ChannelsController(repository: PostgresChannelsRepository(database: database)).addRoutes(to: api)
    JobsController(repository: PostgresJobsRepository(database: database)).addRoutes(to: api)
    let dispatch = PostgresDispatchRepository(database: database)
    DispatchController(repository: dispatch).addRoutes(to: api)
    DispatchActionsController(repository: dispatch).addRoutes(to: api)
    CaseTimelineController(repository: PostgresCaseTimelineRepository(database: database)).addRoutes(to: api)
    DispatchSettingsController(database: database).addRoutes(to: api)
    ProofsController(repository: PostgresProofsRepository(database: database), intake: dependencies.mediaIntake).addRoutes(to: api)
    ProofSettingsController(database: database).addRoutes(to: api)
    let routing = PostgresRoutingRepository(database: database)
    RoutingController(repository: routing).addRoutes(to: api)
    TeamRoutingController(repository: routing).addRoutes(to: api)
    FlowsController(repository: PostgresFlowsRepository(database: database)).addRoutes(to: api)
    FlowRunsController(repository: PostgresFlowRunsRepository(database: database)).addRoutes(to: api)
    APIKeysController(repository: PostgresAPIKeysRepository(database: database)).addRoutes(to: api)
    SearchController(repository: PostgresSearchRepository(database: database)).addRoutes(to: api)
    AnalyticsController(repository: PostgresAnalyticsRepository(database: database)).addRoutes(to: api)
    DispatchAnalyticsController(store: DispatchAnalyticsStore(database: database)).addRoutes(to: api)
    EventsController(repository: PostgresEventsRepository(database: database), pollInterval: dependencies.config.eventPollInterval)
        .addRoutes(to: api)
    WebhookEndpointsController(repository: PostgresWebhookEndpointsRepository(
        database: database, cipher: CredentialCipher(masterKey: dependencies.config.masterKey))).addRoutes(to: api)
    let links = MediaLinks(masterKey: dependencies.config.masterKey)
    MediaController(repository: PostgresMediaRepository(database: database), store: dependencies.mediaStore, links: links,
                    publicURL: dependencies.config.publicURL)
        .addRoutes(to: api)
    ExportsController(repository: PostgresExportsRepository(database: database), links: links, publicURL: dependencies.config.publicURL)
        .addRoutes(to: api)
    dependencies.streamController.addRoutes(to: v1)
    return router
}
