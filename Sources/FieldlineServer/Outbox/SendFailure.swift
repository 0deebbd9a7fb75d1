import FieldlineChannels

/// Why a send did not go through.
enum SendFailure: Error, CustomStringConvertible {
    /// Worth trying again (429, 5xx, timeouts, connection errors).
    case transient(String, retryAfter: Int?)
    /// Trying again will not help (4xx, a refused render); the message is marked failed.
    case permanent(String)
    /// The adapter lacks a setting; fixing it and replaying the message will help.
    case misconfigured(String)

    var description: String {
        switch self {
        case .transient(let reason, _): reason
        case .permanent(let reason): reason
        case .misconfigured(let reason): "adapter misconfigured: \(reason)"
        }
    }

    /// A provider's refusal to render: a missing setting is a misconfiguration, anything else final.
    init(_ error: RenderError) {
        if case .misconfigured(_, let setting) = error {
            self = .misconfigured(setting)
        } else {
            self = .permanent(error.description)
        }
    }

    /// Runs a provider's render; its refusal becomes the send's failure.
    static func rendering<T>(_ render: () throws(RenderError) -> T) throws(SendFailure) -> T {
        do {
            return try render()
        } catch {
            throw SendFailure(error)
        }
    }
}
