import Foundation
import FieldlineDomain
import Testing

/// The 16 bytes of a UUID in order, for byte-wise comparisons.
private func bytes(of id: UUID) -> [UInt8] {
    let u = id.uuid
    return [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
}

/// The 48-bit millisecond timestamp in the first six bytes.
private func millis(of id: UUID) -> UInt64 {
    bytes(of: id).prefix(6).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
}

@Suite("UUIDv7")
struct UUIDv7Tests {
    @Test("sets the version nibble to 7 and the RFC 9562 variant bits to 10")
    func versionAndVariant() {
        for _ in 0..<500 {
            let id = UUIDv7.make()
            let b = bytes(of: id)
            #expect(b[6] >> 4 == 0x7)
            #expect(b[8] & 0xC0 == 0x80)
            // The textual form agrees: version at index 14, variant nibble 8...b at index 19.
            let text = Array(id.uuidString)
            #expect(text[14] == "7")
            #expect("89AB".contains(text[19]))
        }
    }

    @Test("encodes the timestamp big-endian in the first 48 bits (RFC 9562 example)")
    func knownTimestampLayout() {
        // RFC 9562, appendix A.6: unix_ts_ms 0x017F22E279B0 = 2022-02-22 14:22:22 UTC.
        let date = Date(timeIntervalSince1970: 1_645_557_742)
        let id = UUIDv7.make(at: date)
        #expect(id.uuidString.hasPrefix("017F22E2-79B0-7"))
        #expect(millis(of: id) == 0x017F_22E2_79B0)
    }

    @Test("timestamp(of:) round-trips whole seconds and exact fractions", arguments: [
        0.0, 1.0, 1_645_557_742.0, 1_700_000_000.5, 1_700_000_000.25, 4_102_444_800.0,  // 2100-01-01
    ])
    func exactRoundTrip(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let decoded = try #require(UUIDv7.timestamp(of: UUIDv7.make(at: date)))
        #expect(decoded == date)
    }

    @Test("timestamp(of:) keeps millisecond precision and truncates below it")
    func millisecondPrecision() throws {
        let date = Date(timeIntervalSince1970: 1_712_345_678.9876)
        let decoded = try #require(UUIDv7.timestamp(of: UUIDv7.make(at: date)))
        #expect(abs(decoded.timeIntervalSince(date)) < 0.001)
        #expect(decoded.timeIntervalSince1970 < date.timeIntervalSince1970)
        #expect(millis(of: UUIDv7.make(at: date)) == 1_712_345_678_987)
    }

    @Test("the default instant is now")
    func defaultIsNow() throws {
        let before = Date()
        let id = UUIDv7.make()
        let after = Date()
        let decoded = try #require(UUIDv7.timestamp(of: id))
        #expect(decoded.timeIntervalSince1970 >= before.timeIntervalSince1970 - 0.001)
        #expect(decoded <= after)
    }

    @Test("dates before 1970 clamp to the epoch instead of trapping")
    func preEpochClamps() throws {
        let id = UUIDv7.make(at: Date(timeIntervalSince1970: -86_400))
        #expect(millis(of: id) == 0)
        #expect(try #require(UUIDv7.timestamp(of: id)) == Date(timeIntervalSince1970: 0))
        #expect(bytes(of: id)[6] >> 4 == 7)
    }

    @Test("ids from later milliseconds sort after earlier ones, byte-wise and as strings")
    func timeOrdering() {
        let start = 1_700_000_000_000.0
        var previous = UUIDv7.make(at: Date(timeIntervalSince1970: start / 1000))
        for step in 1...200 {
            let next = UUIDv7.make(at: Date(timeIntervalSince1970: (start + Double(step)) / 1000))
            #expect(bytes(of: previous).lexicographicallyPrecedes(bytes(of: next)))
            #expect(previous.uuidString < next.uuidString)
            #expect(millis(of: next) == millis(of: previous) + 1)
            previous = next
        }
        let early = UUIDv7.make(at: Date(timeIntervalSince1970: 1_000))
        let late = UUIDv7.make(at: Date(timeIntervalSince1970: 2_000_000_000))
        #expect(bytes(of: early).lexicographicallyPrecedes(bytes(of: late)))
    }

    @Test("ids made in the same millisecond share the timestamp but differ in the random bits")
    func randomTail() {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let ids = (0..<1000).map { _ in UUIDv7.make(at: date) }
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map(millis(of:))) == [1_700_000_000_000])
        // The 74 random bits actually vary (not, say, a constant tail).
        #expect(Set(ids.map { bytes(of: $0)[15] }).count > 1)
        #expect(Set(ids.map { bytes(of: $0)[6] & 0x0F }).count > 1)
        #expect(Set(ids.map { bytes(of: $0)[8] & 0x3F }).count > 1)
    }

    @Test("timestamp(of:) returns nil for ids of other versions")
    func otherVersions() throws {
        #expect(UUIDv7.timestamp(of: UUID()) == nil)  // version 4
        let nilUUID = try #require(UUID(uuidString: "00000000-0000-0000-0000-000000000000"))
        #expect(UUIDv7.timestamp(of: nilUUID) == nil)
        let maxUUID = try #require(UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"))
        #expect(UUIDv7.timestamp(of: maxUUID) == nil)
        let v6 = try #require(UUID(uuidString: "1EC9414C-232A-6B00-B3C8-9F6BDECED846"))
        #expect(UUIDv7.timestamp(of: v6) == nil)
    }

    @Test("timestamp(of:) decodes a hand-written version-7 id")
    func decodesForeignV7() throws {
        let id = try #require(UUID(uuidString: "017F22E2-79B0-7CC3-98C4-DC0C0C07398F"))
        let decoded = try #require(UUIDv7.timestamp(of: id))
        #expect(decoded == Date(timeIntervalSince1970: 1_645_557_742))
    }
}
