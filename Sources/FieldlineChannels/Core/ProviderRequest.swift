/// One HTTP request to a provider's API, ready for a sender to execute against its base URL.
public struct ProviderRequest: Sendable, Equatable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The path and query, relative to the provider's configurable base URL (starts with `/`).
    ///
    /// Messenger carries the page token in the query here, as Meta documents: redact it before logging.
    public var path: String
    /// Header names and values, in order.
    public var headers: [Header]
    /// The body: JSON or form-encoded bytes, empty for a GET.
    public var body: [UInt8]

    /// One header line.
    public struct Header: Sendable, Hashable {
        /// The header name.
        public var name: String
        /// The header value.
        public var value: String

        /// Creates a header.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a request.
    public init(method: String, path: String, headers: [Header], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// A JSON POST.
    static func json(path: String, body: JSONValue, headers: [Header] = []) -> ProviderRequest {
        ProviderRequest(
            method: "POST", path: path, headers: headers + [Header("Content-Type", "application/json")],
            body: body.serialized)
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
