/// A rule broken by input from outside: which field, a stable code and a readable message.
///
/// The server turns it into `422 {"error": {"code", "message", "field"}}`.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON field (or query parameter) at fault, in snake_case.
    public let field: String?
    /// A stable snake_case code clients can switch on.
    public let code: String
    /// A sentence for a person.
    public let message: String

    /// Creates a validation error.
    public init(field: String?, code: String = "invalid_field", message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    /// Same as `message`.
    public var description: String { message }
}
