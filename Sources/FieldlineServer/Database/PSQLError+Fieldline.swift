import PostgresNIO

/// The few SQLSTATEs the server turns into client errors, recognised in one place.
extension PSQLError {
    /// The SQLSTATE code sent by the server, if this error came from the server.
    var sqlState: String? { serverInfo?[.sqlState] }
    /// The constraint named by the server, if any.
    var constraintName: String? { serverInfo?[.constraintName] }
    /// The server's message.
    var serverMessage: String? { serverInfo?[.message] }

    /// `23505`: a UNIQUE or PRIMARY KEY constraint was hit.
    var isUniqueViolation: Bool { sqlState == PostgresError.Code.uniqueViolation.raw }
    /// `23503`: a foreign key points nowhere (or is still referenced).
    var isForeignKeyViolation: Bool { sqlState == PostgresError.Code.foreignKeyViolation.raw }
    /// `23514`: a CHECK constraint failed.
    var isCheckViolation: Bool { sqlState == PostgresError.Code.checkViolation.raw }
    /// `22021` / `22P05`: text or JSON holding a character PostgreSQL cannot store (U+0000).
    var isUnstorableCharacter: Bool { sqlState == "22021" || sqlState == "22P05" }
    /// `54000`: a value over a server limit, such as an index row larger than a page allows.
    var isProgramLimitExceeded: Bool { sqlState == PostgresError.Code.programLimitExceeded.raw }
}

extension Error {
    /// This error as a server-side PostgreSQL error, looking through transaction wrappers.
    var postgresError: PSQLError? {
        if let error = self as? PSQLError { return error }
        if let error = self as? PostgresTransactionError {
            return (error.closureError ?? error.beginError ?? error.commitError)?.postgresError
        }
        return nil
    }
}
