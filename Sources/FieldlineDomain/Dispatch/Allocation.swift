import Foundation

/// How a broadcast hands out its offers (docs/dispatch.md, allocation modes).
public enum AllocationMode: String, Sendable, Codable, CaseIterable {
    /// Every candidate at once.
    case all
    /// Waves: the `waveSize` nearest, then a radius widened by `widenFactor` every
    /// `waveIntervalSeconds` without an acceptance, up to `maxWaves` waves.
    case nearestFirst = "nearest_first"
    /// One candidate at a time, nearest first, each offer open for `offerTimeoutSeconds`.
    case oneByOne = "one_by_one"
}

/// The allocation settings of a broadcast: the tenant's defaults, each overridable per broadcast.
public struct AllocationSettings: Sendable, Equatable {
    public var mode: AllocationMode
    /// How long an offer stays open before it expires.
    public var offerTimeoutSeconds: Int
    /// `nearest_first`: how many candidates the first wave offers.
    public var waveSize: Int
    /// `nearest_first`: how long a wave waits for an acceptance before the next one goes out.
    public var waveIntervalSeconds: Int
    /// `nearest_first`: how much each wave widens the radius of the one before.
    public var widenFactor: Double
    /// `nearest_first`: the most waves one broadcast sends.
    public var maxWaves: Int

    /// The settings of a tenant that saved none: everyone at once, offers open for 15 minutes.
    public static let standard = AllocationSettings(
        mode: .all, offerTimeoutSeconds: 900, waveSize: 5, waveIntervalSeconds: 600, widenFactor: 2, maxWaves: 4)

    public init(mode: AllocationMode, offerTimeoutSeconds: Int, waveSize: Int, waveIntervalSeconds: Int, widenFactor: Double, maxWaves: Int) {
        self.mode = mode
        self.offerTimeoutSeconds = offerTimeoutSeconds
        self.waveSize = waveSize
        self.waveIntervalSeconds = waveIntervalSeconds
        self.widenFactor = widenFactor
        self.maxWaves = maxWaves
    }

    /// Longest timeout or interval: one week.
    public static let maxSeconds = 604_800

    /// Checks every value, naming the first one out of range (JSON field names).
    public func check() throws {
        guard (1...Self.maxSeconds).contains(offerTimeoutSeconds) else {
            throw ValidationError(field: "timeout_seconds", message: "timeout_seconds must be 1–\(Self.maxSeconds)")
        }
        guard (1...1000).contains(waveSize) else { throw ValidationError(field: "wave_size", message: "wave_size must be 1–1000") }
        guard (1...Self.maxSeconds).contains(waveIntervalSeconds) else {
            throw ValidationError(field: "wave_interval_seconds", message: "wave_interval_seconds must be 1–\(Self.maxSeconds)")
        }
        guard widenFactor.isFinite, widenFactor > 1, widenFactor <= 100 else {
            throw ValidationError(field: "widen_factor", message: "widen_factor must be more than 1 and at most 100")
        }
        guard (1...100).contains(maxWaves) else { throw ValidationError(field: "max_waves", message: "max_waves must be 1–100") }
    }
}

/// Which candidates each step of a broadcast offers. Candidates are ranked nearest first, and
/// every step offers the next ones in that order, so what was offered so far is always a prefix
/// of the ranking: `considered` candidates.
public enum Allocation {
    /// The shortest first radius of a `nearest_first` broadcast, so that widening a radius of
    /// zero (candidates right at the site) still widens it.
    public static let minimumRadiusM = 100.0

    /// One step: how many more candidates to offer, and the radius the wave reached.
    public struct Step: Sendable, Equatable {
        /// Offer candidates `considered ..< considered + count`.
        public let count: Int
        /// `nearest_first`: the radius in metres this wave reaches.
        public let radiusM: Double?
        /// `nearest_first`: the wave number (1, 2, …).
        public let wave: Int

        public init(count: Int, radiusM: Double?, wave: Int) {
            self.count = count
            self.radiusM = radiusM
            self.wave = wave
        }
    }

    /// The first step of a broadcast over candidates at `distances` (ascending).
    public static func first(distances: [Double], _ settings: AllocationSettings) -> Step {
        switch settings.mode {
        case .all:
            return Step(count: distances.count, radiusM: nil, wave: 1)
        case .oneByOne:
            return Step(count: min(1, distances.count), radiusM: nil, wave: 1)
        case .nearestFirst:
            let count = min(settings.waveSize, distances.count)
            let reach = count > 0 ? distances[count - 1] : 0
            return Step(count: count, radiusM: max(reach, minimumRadiusM), wave: 1)
        }
    }

    /// The next step after `considered` candidates (and, for `nearest_first`, wave `wave` with
    /// radius `radiusM`), or nil when nothing more will be offered. A `nearest_first` wave that
    /// would find nobody new widens again at once, up to the last wave.
    public static func next(
        distances: [Double], considered: Int, wave: Int, radiusM: Double?, _ settings: AllocationSettings
    ) -> Step? {
        guard considered < distances.count else { return nil }
        switch settings.mode {
        case .all:
            return nil
        case .oneByOne:
            return Step(count: 1, radiusM: nil, wave: wave + 1)
        case .nearestFirst:
            var radius = max(radiusM ?? minimumRadiusM, minimumRadiusM)
            var number = wave
            while number < settings.maxWaves {
                number += 1
                radius *= settings.widenFactor
                let reach = distances[considered...].prefix { $0 <= radius }.count
                if reach > 0 { return Step(count: reach, radiusM: radius, wave: number) }
            }
            return nil
        }
    }

    /// Whether a step could still follow (so a round with no open offer is not over yet).
    public static func hasNext(distances: [Double], considered: Int, wave: Int, radiusM: Double?, _ settings: AllocationSettings) -> Bool {
        next(distances: distances, considered: considered, wave: wave, radiusM: radiusM, settings) != nil
    }
}
