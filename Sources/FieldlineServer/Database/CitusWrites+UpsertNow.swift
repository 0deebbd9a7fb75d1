import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// `now()` on a single PostgreSQL, for a timestamp column that `ON CONFLICT … DO UPDATE SET`
    /// renews; on Citus, which refuses a function that is not IMMUTABLE there,
    /// `excluded.<column>`: the column's default, `now()`, because the statement's `INSERT`
    /// leaves the column out, so the same value (docs/scaling.md). Use it only for such a column.
    mutating func appendInterpolation(upsertNow column: StaticString) {
        appendLiteral(CitusWrites.enabled ? "excluded.\(column)" : "now()")
    }
}
