import FieldlineDomain
import Foundation
import Hummingbird

/// `GET /v1/search`: full-text search over the messages of open and archived conversations,
/// in Spanish, Portuguese and English, accent- and case-insensitive.
struct SearchController: Sendable {
    let repository: any SearchRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("search", use: search)
    }

    /// Matching messages newest first, cursor-paged, within the caller's team visibility.
    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Page<SearchHit> {
        let viewer = Viewer(try context.require(.conversationsRead))
        let parameters = QueryParameters(request)
        let page = try PageRequest(parameters)
        let query = try Self.query(parameters)
        do {
            let hits = try await repository.search(query, page: page, viewer: viewer)
            return Page(fetched: hits, limit: page.limit, id: \.message.id)
        } catch SearchError.noSearchableWords {
            throw APIError.badQuery("q", "q has no words to search for (only stop words or punctuation)")
        }
    }

    /// Reads and checks `q` and the filters.
    static func query(_ parameters: QueryParameters) throws -> SearchQuery {
        let text = parameters.string("q")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !text.isEmpty else { throw APIError.badQuery("q", "q is required: the words to search for") }
        guard text.count <= SearchQuery.maxLength else {
            throw APIError.badQuery("q", "q must be at most \(SearchQuery.maxLength) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.value == 0 }) else { throw APIError.badQuery("q", "q must not contain NUL") }
        var query = SearchQuery(text: text)
        query.organizationID = try parameters.uuid("organization_id")
        query.memberID = try parameters.uuid("member_id")
        if let tag = parameters.string("tag") {
            do { query.tag = try Validate.tags([tag], field: "tag").first } catch let error as ValidationError {
                throw APIError.badQuery("tag", error.message)
            }
        }
        query.status = try parameters.oneOf("status", ConversationStatus.self)
        query.direction = try parameters.oneOf("direction", MessageDirection.self)
        let range = try parameters.timeRange()
        query.from = range.from
        query.to = range.to
        return query
    }
}
