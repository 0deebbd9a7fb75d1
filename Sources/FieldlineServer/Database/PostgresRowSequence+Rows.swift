import PostgresNIO

extension PostgresRowSequence {
    /// Every row, each turned into a value by `make`.
    func collect<T>(_ make: (PostgresRow) throws -> T) async throws -> [T] {
        var result: [T] = []
        for try await row in self { result.append(try make(row)) }
        return result
    }

    /// The first row turned into a value, or nil when there is none.
    func first<T>(_ make: (PostgresRow) throws -> T) async throws -> T? {
        for try await row in self { return try make(row) }
        return nil
    }

    /// Whether the statement returned any row (e.g. `DELETE … RETURNING`).
    func any() async throws -> Bool {
        for try await _ in self { return true }
        return false
    }
}

/// A row that should exist was not returned: a bug, not bad input.
struct MissingRowError: Error, CustomStringConvertible {
    let what: String
    var description: String { "expected a row for \(what)" }
}
