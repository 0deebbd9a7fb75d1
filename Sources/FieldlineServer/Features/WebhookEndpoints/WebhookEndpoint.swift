import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A tenant's receiver of signed webhooks: its URL, the event types it wants, and whether
/// deliveries go out (with the reason when they do not).
struct WebhookEndpoint: ResponseEncodable, Sendable {
    let id: UUID
    let url: String
    let description: String?
    let eventTypes: [String]
    let enabled: Bool
    /// Why deliveries stopped: `410 Gone`, failing for days, or by hand. Null while enabled.
    let disabledReason: String?
    let disabledAt: Date?
    /// Since when every attempt has failed; null after a success.
    let failingSince: Date?
    /// When the secret replaced by the last rotation stops signing (null when none is live).
    let previousSecretExpiresAt: Date?
    let createdAt: Date
    let updatedAt: Date

    /// The columns of `webhook_endpoints w`; the secrets' subquery names the tenant on Citus.
    static let columns = TenantColumns("""
        w.id, w.url, w.description, w.event_types, w.enabled, w.disabled_reason, w.disabled_at, w.failing_since,
        (SELECT max(s.expires_at) FROM webhook_secrets s
         WHERE s.tenant_id = w.tenant_id$tenant(s) AND s.endpoint_id = w.id AND s.expires_at > now()),
        w.created_at, w.updated_at
        """)

    init(row: PostgresRow) throws {
        (id, url, description, eventTypes, enabled, disabledReason, disabledAt, failingSince, previousSecretExpiresAt, createdAt, updatedAt) =
            try row.decode((UUID, String, String?, [String], Bool, String?, Date?, Date?, Date?, Date, Date).self)
    }
}

/// A new endpoint or a rotated secret: the endpoint, and the secret, shown this once.
struct EndpointWithSecret: ResponseEncodable, Sendable {
    let endpoint: WebhookEndpoint
    /// `whsec_` + base64: the key receivers verify `webhook-signature` with.
    let secret: String

    enum CodingKeys: String, CodingKey { case secret }

    func encode(to encoder: any Encoder) throws {
        try endpoint.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(secret, forKey: .secret)
    }
}

/// One event to one endpoint, with every attempt made.
struct WebhookDelivery: ResponseEncodable, Sendable {
    let id: UUID
    let endpointId: UUID
    let eventId: UUID
    let eventType: String
    /// `pending` (waiting or retrying), `succeeded`, `failed` (retries ran out).
    let status: String
    let attemptCount: Int
    /// When the next attempt is due (pending only).
    let nextAttemptAt: Date?
    let lastStatus: Int?
    let lastError: String?
    /// Asked for through the API, not made by the event itself.
    let resend: Bool
    let createdAt: Date
    let finishedAt: Date?
    let attempts: [WebhookAttempt]

    /// The columns of `webhook_deliveries d`; the event's and the attempts' subqueries name
    /// the tenant on Citus.
    static let columns = TenantColumns("""
        d.id, d.endpoint_id, d.event_id, (SELECT e.type FROM events e WHERE e.tenant_id = d.tenant_id$tenant(e) AND e.id = d.event_id),
        d.status, d.attempts, CASE WHEN d.status = 'pending' THEN greatest(d.next_attempt_at, coalesce(d.leased_until, d.next_attempt_at)) END,
        d.last_status, d.last_error, d.resend, d.created_at, d.finished_at,
        (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'attempted_at', to_char(a.attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                    'status_code', a.status_code, 'latency_ms', a.latency_ms, 'response_snippet', a.response_snippet,
                    'error', a.error) ORDER BY a.attempted_at), '[]')::text
         FROM webhook_attempts a WHERE a.tenant_id = d.tenant_id$tenant(a) AND a.delivery_id = d.id)
        """)

    init(row: PostgresRow) throws {
        let (id, endpointID, eventID, eventType, status, attemptCount, nextAttemptAt, lastStatus, lastError, resend, createdAt, finishedAt, attempts) =
            try row.decode((UUID, UUID, UUID, String?, String, Int, Date?, Int?, String?, Bool, Date, Date?, String).self)
        (self.id, self.endpointId, self.eventId, self.eventType, self.status, self.attemptCount, self.nextAttemptAt) =
            (id, endpointID, eventID, eventType ?? "", status, attemptCount, nextAttemptAt)
        (self.lastStatus, self.lastError, self.resend, self.createdAt, self.finishedAt) = (lastStatus, lastError, resend, createdAt, finishedAt)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = RFC3339.parse(text) else { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text)) }
            return date
        }
        self.attempts = try decoder.decode([WebhookAttempt].self, from: Data(attempts.utf8))
    }
}

/// One try at delivering: the answer's status (null when none came), how long it took, the
/// start of what the receiver said, or the error.
struct WebhookAttempt: Codable, Sendable {
    let attemptedAt: Date
    let statusCode: Int?
    let latencyMs: Int
    let responseSnippet: String?
    let error: String?
}
