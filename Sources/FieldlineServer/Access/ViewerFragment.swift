import Foundation
import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// The placeholder for the viewer's id in an access fragment's SQL.
    static let viewerPlaceholder = "$viewer"
    /// The placeholder `$tenant(alias)`, written right after a subquery's correlated
    /// `alias.tenant_id = outer.tenant_id`: on Citus it becomes ` AND alias.tenant_id = ` and the
    /// tenant as a bound value, nothing on a single PostgreSQL. Citus plans a statement on the
    /// tenant's shard alone only when every table in it names the tenant as a value; through the
    /// outer row alone a subquery made the whole statement a query of every shard
    /// (docs/scaling.md, "Router plans").
    static let tenantPlaceholder = "$tenant("

    /// Appends `sql`, a fixed fragment of our own, with each `$viewer` in it replaced by a new
    /// bound parameter holding `id`, and each `$tenant(alias)` by the tenant condition above:
    /// neither id ever becomes SQL text.
    mutating func appendFragment(_ sql: String, viewer id: UUID? = nil, tenant tenantID: UUID) {
        for (index, part) in sql.components(separatedBy: Self.tenantPlaceholder).enumerated() {
            var rest = Substring(part)
            if index > 0, let close = rest.firstIndex(of: ")") {
                if CitusWrites.enabled {
                    appendLiteral(" AND \(rest[..<close]).tenant_id = ")
                    appendInterpolation(tenantID)
                }
                rest = rest[rest.index(after: close)...]
            }
            appendViewerFragment(String(rest), viewer: id)
        }
    }

    /// `sql` with each `$viewer` replaced by a new bound parameter holding `id`.
    private mutating func appendViewerFragment(_ sql: String, viewer id: UUID?) {
        for (index, part) in sql.components(separatedBy: Self.viewerPlaceholder).enumerated() {
            if index > 0 {
                guard let id else { preconditionFailure("a fragment with $viewer needs the viewer's id") }
                appendInterpolation(id)
            }
            appendLiteral(part)
        }
    }

    /// A model's columns (`Conversation.columns`, `Job.columns`, …), whose `$tenant(…)`
    /// placeholders name the tenant `tenantID` on Citus (see `tenantPlaceholder`).
    mutating func appendInterpolation(columns: TenantColumns, tenant tenantID: UUID) {
        appendFragment(columns.template, tenant: tenantID)
    }

    /// On Citus, ` AND alias.tenant_id = ` and the tenant as a bound value, after a subquery's
    /// correlated tenant condition (see `tenantPlaceholder`); nothing on a single PostgreSQL.
    mutating func appendInterpolation(citusTenant alias: StaticString, _ tenantID: UUID) {
        guard CitusWrites.enabled else { return }
        appendLiteral(" AND \(alias).tenant_id = ")
        appendInterpolation(tenantID)
    }
}

/// A model's column list whose subqueries carry `$tenant(…)` placeholders: a statement
/// interpolates it as `\(columns: X.columns, tenant: tenantID)`. A type of its own, not a
/// `String`, so `\(unescaped: X.columns)`, which would send the placeholders as SQL, does not compile.
struct TenantColumns: Sendable {
    /// The columns' SQL, placeholders included.
    let template: String

    /// Columns from their SQL with placeholders.
    init(_ template: String) {
        self.template = template
    }
}
