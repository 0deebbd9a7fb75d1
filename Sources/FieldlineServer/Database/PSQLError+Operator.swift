import PostgresNIO

extension PSQLError {
    /// The error as an operator reads it, on one line (the command line, a failed migration): the
    /// server's message and SQLSTATE, then its detail, hint and context where it sent them; for
    /// an error that did not come from the server (the connection failed), its kind and cause.
    /// PSQLError's own `description` is a fixed text, so that nothing leaks to API clients; this
    /// is for the operator only.
    public var operatorDescription: String {
        guard let info = serverInfo else {
            return "database error (\(code))" + (underlying.map { ": \(String(describing: $0))" } ?? "")
        }
        var text = "database error: \(info[.message] ?? "(no message)") (SQLSTATE \(info[.sqlState] ?? "?"))"
        if let detail = info[.detail] { text += "; detail: \(detail)" }
        if let hint = info[.hint] { text += "; hint: \(hint)" }
        if let context = info[.locationContext] { text += "; context: " + context.split(separator: "\n").joined(separator: " / ") }
        return text
    }
}

extension Error {
    /// `operatorDescription` of the PostgreSQL error this is or wraps (a transaction's), or nil.
    public var databaseOperatorDescription: String? { postgresError?.operatorDescription }

    /// The error as the server's logs name it: a PostgreSQL error as the operator reads it (a
    /// PSQLError describes itself with a fixed text that names no cause), anything else as it
    /// describes itself.
    var logDescription: String { databaseOperatorDescription ?? String(describing: self) }
}
