import FieldlineDomain
import Foundation
import Hummingbird

/// One page of a list: `{"data": [...], "next_cursor": "..."}`; `next_cursor` is null on the
/// last page.
struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    let data: [Item]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey { case data, nextCursor }

    /// `next_cursor` is always present: null on the last page.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    /// Builds a page from `limit + 1` fetched rows: the extra row only tells that more exist.
    init(fetched: [Item], limit: Int, id: (Item) -> UUID) {
        if fetched.count > limit {
            let items = Array(fetched.prefix(limit))
            self.data = items
            self.nextCursor = items.last.map { Cursor(lastID: id($0)).encoded }
        } else {
            self.data = fetched
            self.nextCursor = nil
        }
    }
}

/// The `?cursor=&limit=` of a list request.
struct PageRequest: Sendable {
    /// Default page size.
    static let defaultLimit = 50
    /// Largest page size.
    static let maxLimit = 200

    /// Items after this id (exclusive), or from the newest when nil.
    let after: UUID?
    /// Page size.
    let limit: Int

    init(_ query: QueryParameters) throws {
        self.limit = try query.int("limit", range: 1...Self.maxLimit) ?? Self.defaultLimit
        if let raw = query.string("cursor") {
            guard let cursor = Cursor(encoded: raw) else {
                throw APIError.badQuery("cursor", "cursor is not one this API issued")
            }
            self.after = cursor.lastID
        } else {
            self.after = nil
        }
    }

    /// A page from values, as a statement's own tests build one.
    init(after: UUID?, limit: Int = Self.defaultLimit) {
        self.after = after
        self.limit = limit
    }

    /// The number of rows to fetch: one more than the page, to know whether another follows.
    var fetchLimit: Int { limit + 1 }
}
