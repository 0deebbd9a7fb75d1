import FieldlineChannels
import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// One business event as the feed lists it and a webhook delivers it: id, type, when, the
/// cursor to resume after it, and the resource (`data`) as the API returned it at the time.
struct BusinessEvent: ResponseEncodable, Sendable {
    let id: UUID
    let type: String
    let occurredAt: Date
    /// Where the feed resumes after this event (`GET /v1/events?after=`).
    let cursor: String
    let data: JSONValue

    /// The columns `init(row:)` reads, from `events e`.
    static let columns = "e.id, e.type, e.occurred_at, e.txid::text, e.seq, e.body::text"

    /// Reads a row of `columns`.
    init(row: PostgresRow) throws {
        let (id, type, occurredAt, txid, seq, body) = try row.decode((UUID, String, Date, String, Int64, String).self)
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.cursor = EventCursor(txid: UInt64(txid) ?? 0, seq: seq).encoded
        self.data = JSONValue(parsing: Array(body.utf8)) ?? .null
    }
}

/// One page of the feed: the events, where to resume, whether more are waiting now, and how
/// long to wait before asking again.
struct EventFeedPage: ResponseEncodable, Sendable {
    let data: [BusinessEvent]
    /// Pass as `after` next time; the `after` that was asked when nothing is new.
    let nextCursor: String
    let hasMore: Bool
    /// Seconds to wait before the next poll: 0 while more are waiting.
    let pollIntervalSeconds: Int
}
