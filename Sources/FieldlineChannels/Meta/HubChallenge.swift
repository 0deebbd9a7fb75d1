/// Meta's webhook verification handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`),
/// shared by WhatsApp and Messenger
/// (https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests).
public enum HubChallenge {
    /// What to answer to a verification request.
    public enum Decision: Sendable, Equatable {
        /// Reply 200 with exactly this body (the raw `hub.challenge`).
        case accept(challenge: String)
        /// Reply 403 and nothing else.
        case reject(reason: String)
    }

    /// The parameters of a raw query string decoded as a form (`+` is a space, as Meta and
    /// `urlencode` send it); the first of a repeated name wins.
    public static func query(raw: String) -> [String: String] {
        var query: [String: String] = [:]
        for field in FormEncoding.decode(Array(raw.utf8)) where query[field.name] == nil {
            query[field.name] = field.value
        }
        return query
    }

    /// Decides the answer from the decoded query parameters and the token configured for the adapter.
    /// The token is compared in constant time.
    public static func decide(query: [String: String], verifyToken: String) -> Decision {
        guard query["hub.mode"] == "subscribe" else { return .reject(reason: "hub.mode is not subscribe") }
        guard let challenge = query["hub.challenge"], !challenge.isEmpty else {
            return .reject(reason: "hub.challenge is missing")
        }
        guard let token = query["hub.verify_token"], !verifyToken.isEmpty,
            ConstantTime.equals(token, verifyToken)
        else { return .reject(reason: "hub.verify_token does not match") }
        return .accept(challenge: challenge)
    }
}
