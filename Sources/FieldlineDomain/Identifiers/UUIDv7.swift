import Foundation

/// UUID version 7 (RFC 9562): a 48-bit Unix-millisecond timestamp followed by random bits.
///
/// Ids made this way sort by creation time, which keeps B-tree inserts local and lets lists
/// page "newest first" by id alone.
public enum UUIDv7 {
    /// Makes a new version-7 UUID for the given instant (now by default).
    public static func make(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        // Two draws of 64 random bits rather than one per byte: each draw is a system call, and a
        // broadcast makes 10,000 ids at once.
        var rng = SystemRandomNumberGenerator()
        let high: UInt64 = rng.next(), low: UInt64 = rng.next()
        func byte(_ value: UInt64, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> (8 * index)) }
        return UUID(uuid: (
            byte(millis, 5), byte(millis, 4), byte(millis, 3), byte(millis, 2), byte(millis, 1), byte(millis, 0),
            (byte(high, 1) & 0x0F) | 0x70,  // version 7
            byte(high, 0),
            (byte(low, 7) & 0x3F) | 0x80,  // RFC 9562 variant
            byte(low, 6), byte(low, 5), byte(low, 4), byte(low, 3), byte(low, 2), byte(low, 1), byte(low, 0)
        ))
    }

    /// The creation time encoded in a version-7 UUID, or nil for other versions.
    public static func timestamp(of id: UUID) -> Date? {
        let bytes = id.uuid
        guard bytes.6 >> 4 == 7 else { return nil }
        let parts = [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5]
        let millis = parts.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}
