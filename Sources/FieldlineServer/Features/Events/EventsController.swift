import Crypto
import FieldlineDomain
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /v1/events`: the tenant's business events in commit order, for an ERP that polls
/// (docs/events.md). A page answers `ETag`; asking again with it in `If-None-Match` answers
/// 304 while nothing is new. `X-Poll-Interval` says how many seconds to wait before asking again.
struct EventsController: Sendable {
    let repository: any EventsRepository
    /// Seconds a caught-up poller is asked to wait.
    let pollInterval: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("events", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.eventsRead)
        let query = QueryParameters(request)
        let limit = try query.int("limit", range: 1...PageRequest.maxLimit) ?? 100
        var after = EventCursor.start
        if let raw = query.string("after"), !raw.isEmpty {
            guard let cursor = EventCursor(encoded: raw) else {
                throw APIError.badQuery("after", "after is not a cursor this API issued (an event's cursor, or next_cursor)")
            }
            after = cursor
        }
        let types = try query.string("types").map { raw in
            do {
                return try BusinessEventType.parseList(raw)
            } catch let error as ValidationError {
                throw APIError.badQuery("types", error.message)
            }
        }
        let (events, more) = try await repository.page(after: after, types: types, limit: limit, tenantID: principal.tenantID)
        let page = EventFeedPage(
            data: events, nextCursor: events.last?.cursor ?? after.encoded, hasMore: more, pollIntervalSeconds: more ? 0 : pollInterval)
        let tag = Self.etag(after: after, types: types, limit: limit, page: page)
        var headers = HTTPFields()
        headers[.eTag] = tag
        headers[.pollInterval] = String(page.pollIntervalSeconds)
        headers[.cacheControl] = "no-cache"
        if let asked = request.headers[.ifNoneMatch], Self.matches(asked, tag) {
            return Response(status: .notModified, headers: headers)
        }
        var response = try context.responseEncoder.encode(page, from: request, context: context)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The entity tag of a page: what decides its content (the question, the last event, and
    /// whether more wait), hashed.
    static func etag(after: EventCursor, types: [BusinessEventType]?, limit: Int, page: EventFeedPage) -> String {
        let key = [after.encoded, types?.map(\.rawValue).joined(separator: ",") ?? "*", String(limit), page.nextCursor, String(page.hasMore)]
            .joined(separator: "|")
        let digest = SHA256.hash(data: Data(key.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return "\"\(digest)\""
    }

    /// Whether an `If-None-Match` value (`*`, or a list of tags, weak or strong) names `tag`.
    static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == tag || trimmed == "W/" + tag
        }
    }
}

extension HTTPField.Name {
    /// Seconds a poller should wait before asking again (as GitHub's events API answers).
    static let pollInterval = HTTPField.Name("X-Poll-Interval")!
}
