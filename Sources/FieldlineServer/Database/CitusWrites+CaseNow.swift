import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// `CASE WHEN <condition> THEN <value> END` (the condition bound) on a single PostgreSQL; on
    /// Citus, which refuses `now()` inside `CASE` or `coalesce()` in an `UPDATE`, `onCitus` or
    /// `NULL`, chosen here (docs/scaling.md). `onCitus` must give the same value as `value`.
    mutating func appendInterpolation(caseWhen condition: Bool, then value: StaticString, onCitus citusValue: StaticString) {
        if CitusWrites.enabled {
            appendLiteral(condition ? "\(citusValue)" : "NULL")
        } else {
            appendLiteral("CASE WHEN ")
            appendInterpolation(condition)
            appendLiteral(" THEN \(value) END")
        }
    }
}
