import Foundation
import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// The placeholder for the viewer's id in an access fragment's SQL.
    static let viewerPlaceholder = "$viewer"

    /// Appends `sql`, a fixed fragment of our own, with each `$viewer` in it replaced by a new
    /// bound parameter holding `id`: the id never becomes SQL text.
    mutating func appendFragment(_ sql: String, viewer id: UUID) {
        for (index, part) in sql.components(separatedBy: Self.viewerPlaceholder).enumerated() {
            if index > 0 { appendInterpolation(id) }
            appendLiteral(part)
        }
    }
}
