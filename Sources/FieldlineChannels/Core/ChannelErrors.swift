/// Why a webhook's authenticity check failed. Every case means "reject, store nothing".
public enum SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The signature (or secret token) header is absent.
    case missingHeader(String)
    /// The header is present but not in the provider's format.
    case malformedHeader(String)
    /// The signature does not match the body and secret.
    case mismatch
    /// A JSON webhook's URL carries no `bodySHA256` query parameter (Twilio).
    case missingBodyHash
    /// The body's SHA-256 differs from the `bodySHA256` query parameter (Twilio).
    case bodyHashMismatch

    /// A readable explanation, safe to log (never contains a secret).
    public var description: String {
        switch self {
        case .missingHeader(let name): return "the \(name) header is missing"
        case .malformedHeader(let name): return "the \(name) header is not in the expected format"
        case .mismatch: return "the signature does not match the request"
        case .missingBodyHash: return "a JSON webhook URL must carry a bodySHA256 query parameter"
        case .bodyHashMismatch: return "the body's SHA-256 does not match the bodySHA256 query parameter"
        }
    }
}

/// Why an inbound webhook body could not be read at all. Unknown message kinds are not errors:
/// they become `MessageContent.unsupported`.
public enum ChannelParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not JSON.
    case malformedJSON(provider: ChannelProvider, detail: String)
    /// The body is JSON but not the provider's webhook envelope (e.g. a Messenger body on a WhatsApp URL).
    case unexpectedPayload(provider: ChannelProvider, detail: String)

    /// A readable explanation.
    public var description: String {
        switch self {
        case .malformedJSON(let provider, let detail):
            return "the \(provider.rawValue) webhook body is not valid JSON: \(detail)"
        case .unexpectedPayload(let provider, let detail):
            return "the \(provider.rawValue) webhook body is not a \(provider.rawValue) webhook: \(detail)"
        }
    }
}

/// Why an outbound message could not be rendered for a provider.
public enum RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message has no text, image, location or choices.
    case emptyMessage
    /// The image has neither a provider media id nor a URL.
    case imageWithoutSource
    /// The provider needs a public URL for the image, but only a media id was given.
    case imageNeedsURL(ChannelProvider)
    /// The recipient is not usable by this provider (e.g. an empty id).
    case invalidRecipient(ChannelProvider, String)
    /// The adapter account lacks a setting the provider needs (e.g. `config.phone_number_id`);
    /// fixing the adapter and sending again will help.
    case misconfigured(ChannelProvider, String)
    /// The provider has no approved message templates.
    case templatesUnsupported(ChannelProvider)

    /// A readable explanation.
    public var description: String {
        switch self {
        case .emptyMessage:
            return "the outbound message has nothing to send"
        case .imageWithoutSource:
            return "the image has neither a media id nor a URL"
        case .imageNeedsURL(let provider):
            return "\(provider.rawValue) can only send an image from a URL, not a provider media id"
        case .invalidRecipient(let provider, let recipient):
            return "'\(recipient)' is not a valid \(provider.rawValue) recipient"
        case .misconfigured(let provider, let setting):
            return "the \(provider.rawValue) adapter is misconfigured: \(setting)"
        case .templatesUnsupported(let provider):
            return "\(provider.rawValue) has no approved message templates"
        }
    }
}
