import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A tenant's broadcast defaults as the API shows them (`GET /v1/dispatch/settings`).
struct DispatchSettingsBody: ResponseEncodable, RequestBody {
    let mode: AllocationMode
    let timeoutSeconds: Int
    let waveSize: Int
    let waveIntervalSeconds: Int
    let widenFactor: Double
    let maxWaves: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode
        case timeoutSeconds = "timeout_seconds"
        case waveSize = "wave_size"
        case waveIntervalSeconds = "wave_interval_seconds"
        case widenFactor = "widen_factor"
        case maxWaves = "max_waves"
    }

    /// The API's view of `settings`.
    init(_ settings: AllocationSettings) {
        (mode, timeoutSeconds, waveSize, waveIntervalSeconds, widenFactor, maxWaves) = (
            settings.mode, settings.offerTimeoutSeconds, settings.waveSize, settings.waveIntervalSeconds,
            settings.widenFactor, settings.maxWaves)
    }

    /// The settings this body names, checked.
    func settings() throws -> AllocationSettings {
        let settings = AllocationSettings(
            mode: mode, offerTimeoutSeconds: timeoutSeconds, waveSize: waveSize, waveIntervalSeconds: waveIntervalSeconds,
            widenFactor: widenFactor, maxWaves: maxWaves)
        try settings.check()
        return settings
    }
}

/// Reading and saving a tenant's broadcast defaults (`dispatch_settings`).
enum DispatchSettingsStore {
    /// The tenant's defaults, or the built-in ones when it saved none.
    static func load(_ transaction: TenantTransaction) async throws -> AllocationSettings {
        try await transaction.query("""
            SELECT mode, offer_timeout_seconds, wave_size, wave_interval_seconds, widen_factor, max_waves
            FROM dispatch_settings WHERE tenant_id = \(transaction.tenantID)
            """
        ).first { row in
            let (mode, timeout, size, interval, factor, waves) = try row.decode((String, Int, Int, Int, Double, Int).self)
            return AllocationSettings(
                mode: AllocationMode(rawValue: mode) ?? .all, offerTimeoutSeconds: timeout, waveSize: size,
                waveIntervalSeconds: interval, widenFactor: factor, maxWaves: waves)
        } ?? .standard
    }

    /// Replaces the tenant's defaults.
    static func save(_ settings: AllocationSettings, _ transaction: TenantTransaction) async throws {
        try await transaction.query("""
            INSERT INTO dispatch_settings (tenant_id, mode, offer_timeout_seconds, wave_size, wave_interval_seconds, widen_factor, max_waves)
            VALUES (\(transaction.tenantID), \(settings.mode.rawValue), \(settings.offerTimeoutSeconds), \(settings.waveSize),
                    \(settings.waveIntervalSeconds), \(settings.widenFactor), \(settings.maxWaves))
            ON CONFLICT (tenant_id) DO UPDATE SET mode = excluded.mode, offer_timeout_seconds = excluded.offer_timeout_seconds,
                wave_size = excluded.wave_size, wave_interval_seconds = excluded.wave_interval_seconds,
                widen_factor = excluded.widen_factor, max_waves = excluded.max_waves, updated_at = \(upsertNow: "updated_at")
            """)
    }
}

/// `/v1/dispatch/settings`: the tenant's broadcast defaults (read: jobs:read; replace: routing:manage).
struct DispatchSettingsController: Sendable {
    let database: Database

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("dispatch/settings", use: get)
        group.put("dispatch/settings", use: put)
    }

    /// The defaults every broadcast starts from.
    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> DispatchSettingsBody {
        let principal = try context.require(.jobsRead)
        return DispatchSettingsBody(try await database.withTenantTransaction(principal.tenantID) { try await DispatchSettingsStore.load($0) })
    }

    /// Replaces the defaults; every field is required.
    @Sendable func put(_ request: Request, context: AppRequestContext) async throws -> DispatchSettingsBody {
        let principal = try context.require(.routingManage)
        let settings = try await JSONBody.decode(DispatchSettingsBody.self, from: request, context: context).settings()
        try await database.withTenantTransaction(principal.tenantID) { try await DispatchSettingsStore.save(settings, $0) }
        return DispatchSettingsBody(settings)
    }
}
