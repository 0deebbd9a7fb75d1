import FieldlineDomain
import Testing

@Suite("Allocation: which candidates each step of a broadcast offers")
struct AllocationTests {
    static let distances = [1000.0, 1800, 3900, 8000, 8100]

    func settings(_ mode: AllocationMode, waveSize: Int = 2, factor: Double = 2, maxWaves: Int = 4) -> AllocationSettings {
        AllocationSettings(mode: mode, offerTimeoutSeconds: 60, waveSize: waveSize, waveIntervalSeconds: 60, widenFactor: factor, maxWaves: maxWaves)
    }

    @Test("all offers everyone at once and nothing after")
    func all() {
        let first = Allocation.first(distances: Self.distances, settings(.all))
        #expect(first.count == 5)
        #expect(Allocation.next(distances: Self.distances, considered: 5, wave: 1, radiusM: nil, settings(.all)) == nil)
    }

    @Test("one_by_one offers the next nearest until none is left")
    func oneByOne() {
        #expect(Allocation.first(distances: Self.distances, settings(.oneByOne)).count == 1)
        #expect(Allocation.next(distances: Self.distances, considered: 1, wave: 1, radiusM: nil, settings(.oneByOne)) == .init(count: 1, radiusM: nil, wave: 2))
        #expect(Allocation.next(distances: Self.distances, considered: 5, wave: 5, radiusM: nil, settings(.oneByOne)) == nil)
        #expect(Allocation.first(distances: [], settings(.oneByOne)).count == 0)
    }

    @Test("nearest_first: the k nearest, then the radius times the factor, skipping waves that find nobody, up to the last wave")
    func nearestFirst() {
        let s = settings(.nearestFirst)
        let first = Allocation.first(distances: Self.distances, s)
        #expect(first == .init(count: 2, radiusM: 1800, wave: 1))
        // 3,600 m finds nobody new, so wave 3 (7,200 m) goes at once; wave 4 (14,400 m) finds the last two.
        let second = Allocation.next(distances: Self.distances, considered: 2, wave: 1, radiusM: 1800, s)
        #expect(second == .init(count: 1, radiusM: 7200, wave: 3))
        #expect(Allocation.next(distances: Self.distances, considered: 3, wave: 3, radiusM: 7200, s) == .init(count: 2, radiusM: 14_400, wave: 4))
        #expect(Allocation.next(distances: Self.distances, considered: 2, wave: 1, radiusM: 1800, settings(.nearestFirst, maxWaves: 2)) == nil)
        // A first wave right at the site still widens.
        #expect(Allocation.first(distances: [0, 150], settings(.nearestFirst, waveSize: 1)).radiusM == Allocation.minimumRadiusM)
        #expect(Allocation.next(distances: [0, 150], considered: 1, wave: 1, radiusM: 100, settings(.nearestFirst, waveSize: 1))?.count == 1)
    }

    @Test("settings out of range are refused, naming the field")
    func checks() {
        var s = AllocationSettings.standard
        s.widenFactor = 1
        #expect(throws: ValidationError.self) { try s.check() }
        s = .standard
        s.offerTimeoutSeconds = 0
        let error = #expect(throws: ValidationError.self) { try s.check() }
        #expect(error?.field == "timeout_seconds")
    }
}
