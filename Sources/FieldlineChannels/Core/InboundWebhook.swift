/// One webhook request as a provider sent it: what verification and parsing read.
public struct InboundWebhook: Sendable {
    /// The exact bytes received (signatures cover these, never re-serialized JSON).
    public var body: [UInt8]
    /// The full URL the provider called: scheme, host, path and query as the provider has it
    /// configured (Twilio signs it).
    public var url: String
    /// A header's value by name (case-insensitive), repeated fields joined with ", ".
    private let lookUp: @Sendable (String) -> String?

    /// A webhook whose headers are read through `header` (e.g. straight from the server's request).
    public init(body: [UInt8], url: String, header: @escaping @Sendable (String) -> String?) {
        self.body = body
        self.url = url
        self.lookUp = header
    }

    /// A webhook with headers given as a dictionary (tests, fakes).
    public init(body: [UInt8], url: String, headers: [String: String]) {
        let lowercased = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.init(body: body, url: url) { lowercased[$0.lowercased()] }
    }

    /// The value of the header `name`, or nil.
    public func header(_ name: String) -> String? { lookUp(name) }

    /// Whether the body is declared as JSON (`Content-Type: application/json`).
    public var isJSON: Bool { header("Content-Type")?.lowercased().hasPrefix("application/json") ?? false }
}

/// The answer to a provider's subscription handshake (a GET to the webhook URL).
public enum WebhookHandshake: Sendable, Equatable {
    /// The provider has no handshake: its webhooks are POST only (405).
    case unsupported
    /// Reply 200 with exactly this `text/plain` body (Meta's raw `hub.challenge`).
    case accept(body: String)
    /// Reply 403 and nothing else.
    case reject(reason: String)
}

/// What a stored webhook is answered with (status 200).
public struct WebhookAnswer: Sendable, Equatable {
    /// The `Content-Type` of the answer.
    public var contentType: String
    /// The body.
    public var body: String

    /// Creates an answer.
    public init(contentType: String, body: String) {
        self.contentType = contentType
        self.body = body
    }
}
