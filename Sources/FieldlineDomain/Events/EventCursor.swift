/// A position in a tenant's event log: the writing transaction's id and the event's number in
/// the log (docs/events.md). Clients see it as an opaque string, `<txid>-<seq>`.
public struct EventCursor: Sendable, Equatable, Comparable {
    /// The id of the transaction that wrote the event (PostgreSQL `xid8`).
    public let txid: UInt64
    /// The event's number, increasing within a transaction.
    public let seq: Int64

    /// The position of one event.
    public init(txid: UInt64, seq: Int64) {
        self.txid = txid
        self.seq = seq
    }

    /// Reads a cursor this API issued; nil for anything else.
    public init?(encoded: String) {
        let parts = encoded.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let txid = UInt64(parts[0]), let seq = Int64(parts[1]), seq >= 0 else { return nil }
        self.init(txid: txid, seq: seq)
    }

    /// Before every event.
    public static let start = EventCursor(txid: 0, seq: 0)

    /// The string handed to clients.
    public var encoded: String { "\(txid)-\(seq)" }

    public static func < (lhs: EventCursor, rhs: EventCursor) -> Bool {
        (lhs.txid, lhs.seq) < (rhs.txid, rhs.seq)
    }
}
