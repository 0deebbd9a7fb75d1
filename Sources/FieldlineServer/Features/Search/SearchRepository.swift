import FieldlineDomain
import Foundation

/// Full-text search over the messages a viewer may see.
protocol SearchRepository: Sendable {
    /// Matching messages, newest first, each with its conversation; conversations outside the
    /// viewer's team visibility are left out. Throws `SearchError.noSearchableWords` when the
    /// text analyses to nothing (only stop words or punctuation).
    func search(_ query: SearchQuery, page: PageRequest, viewer: Viewer) async throws -> [SearchHit]
}

/// Why a search could not run.
enum SearchError: Error, Equatable {
    /// The query has no word left to look for after analysis.
    case noSearchableWords
}
