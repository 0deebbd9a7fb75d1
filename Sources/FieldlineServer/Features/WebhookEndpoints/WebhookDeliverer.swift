import AsyncHTTPClient
import FieldlineChannels
import FieldlineDomain
import Foundation
import NIOCore
import PostgresNIO

/// Delivers one endpoint's due webhooks (the `webhook.deliver` outbox job): leases up to
/// `concurrencyPerEndpoint` deliveries, each the oldest pending one of its resource, posts them
/// signed (Standard Webhooks) through the `OutboundGuard`, records every attempt, schedules
/// retries, disables the endpoint on 410 or after failing for `disableAfter`, and queues itself
/// again for what stays due. See docs/events.md#webhooks.
struct WebhookDeliverer: Sendable {
    let database: Database
    let endpoints: PostgresWebhookEndpointsRepository
    let settings: WebhookSettings

    var logger: Logger { database.logger }

    /// One leased delivery with what it sends.
    struct Leased: Sendable {
        let id: UUID
        let attempts: Int
        let eventID: UUID
        let body: [UInt8]
    }

    /// What one attempt came to.
    struct Outcome: Sendable {
        var status: Int?
        var latencyMs: Int
        var snippet: String?
        var error: String?
        var retryAfter: Duration?

        var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }
    }

    /// Runs one round for `endpointID`; returns when its attempts are recorded.
    func deliver(endpointID: UUID, tenantID: UUID) async throws {
        let lease = settings.timeout + .seconds(30)
        let claimed: (url: String, secrets: [String], items: [Leased])? = try await database.withTenant(tenantID) { connection in
            guard let endpoint = try await endpoints.fetch(endpointID, tenantID: tenantID, connection), endpoint.enabled else { return nil }
            let items = try await connection.query("""
                WITH busy AS (
                    SELECT count(*) AS n FROM webhook_deliveries
                    WHERE tenant_id = \(tenantID) AND endpoint_id = \(endpointID) AND status = 'pending' AND leased_until > now()
                ), due AS (
                    SELECT d.id FROM webhook_deliveries d
                    WHERE d.tenant_id = \(tenantID) AND d.endpoint_id = \(endpointID) AND d.status = 'pending'
                      AND d.next_attempt_at <= now() AND (d.leased_until IS NULL OR d.leased_until <= now())
                      -- In order per resource: only the oldest pending delivery of each resource goes.
                      AND NOT EXISTS (
                          SELECT 1 FROM webhook_deliveries p
                          WHERE p.tenant_id = d.tenant_id AND p.endpoint_id = d.endpoint_id AND p.resource_id = d.resource_id
                            AND p.status = 'pending' AND (p.event_txid, p.event_seq, p.id) < (d.event_txid, d.event_seq, d.id))
                    ORDER BY d.event_txid, d.event_seq, d.id
                    LIMIT greatest(0, \(settings.concurrencyPerEndpoint) - (SELECT n FROM busy))
                    FOR UPDATE OF d SKIP LOCKED
                )
                UPDATE webhook_deliveries d SET leased_until = now() + \(Double(lease.components.seconds)) * interval '1 second',
                    attempts = d.attempts + 1
                FROM due, events e
                WHERE d.tenant_id = \(tenantID) AND d.id = due.id AND e.tenant_id = d.tenant_id AND e.id = d.event_id
                RETURNING d.id, d.attempts, e.id, \(unescaped: "e.id, e.type, e.occurred_at, e.txid::text, e.seq, e.body::text")
                """, logger: logger
            ).collect { row in
                let (id, attempts, eventID, _, type, occurredAt, txid, seq, body) =
                    try row.decode((UUID, Int, UUID, UUID, String, Date, String, Int64, String).self)
                let event = WebhookPayload(
                    id: eventID, type: type, occurredAt: occurredAt,
                    cursor: EventCursor(txid: UInt64(txid) ?? 0, seq: seq).encoded, data: JSONValue(parsing: Array(body.utf8)) ?? .null)
                return Leased(id: id, attempts: attempts, eventID: eventID, body: Array(try AppRequestContext.encoder.encode(event)))
            }
            return (endpoint.url, try await endpoints.secrets(of: endpointID, tenantID: tenantID, connection), items)
        }
        guard let claimed, !claimed.items.isEmpty else { return }
        let allowPrivate = try await endpoints.developmentMode(tenantID)
        let outcomes = await withTaskGroup(of: (Leased, Outcome).self) { group in
            for item in claimed.items {
                group.addTask { (item, await attempt(item, url: claimed.url, secrets: claimed.secrets, allowPrivate: allowPrivate)) }
            }
            var all: [(Leased, Outcome)] = []
            for await result in group { all.append(result) }
            return all
        }
        try await database.withTenant(tenantID) { connection in
            for (item, outcome) in outcomes { try await record(item, outcome, endpointID: endpointID, tenantID: tenantID, connection) }
        }
    }

    /// Posts one delivery, signed with every live secret; never throws: a failure is an outcome.
    func attempt(_ item: Leased, url: String, secrets: [String], allowPrivate: Bool) async -> Outcome {
        let start = ContinuousClock.now
        func elapsed() -> Int {
            let duration = ContinuousClock.now - start
            return Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }
        do {
            let guardian = OutboundGuard(allowPrivate: allowPrivate)
            let destination = try await guardian.check(url)
            let id = item.eventID.uuidString.lowercased()
            let timestamp = Int(Date().timeIntervalSince1970)
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "user-agent", value: "Fieldline-Webhooks/1")
            request.headers.add(name: "webhook-id", value: id)
            request.headers.add(name: "webhook-timestamp", value: String(timestamp))
            request.headers.add(name: "webhook-signature", value: StandardWebhookSignature.header(id: id, timestamp: timestamp, body: item.body, secrets: secrets))
            request.body = .bytes(ByteBuffer(bytes: item.body))
            let (response, body) = try await guardian.execute(request, to: destination, timeout: settings.timeout)
            var outcome = Outcome(status: Int(response.status.code), latencyMs: elapsed(), snippet: Self.snippet(body, limit: settings.snippetBytes))
            if let value = response.headers.first(name: "retry-after"), let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds > 0 {
                outcome.retryAfter = .seconds(min(seconds, 86_400))
            }
            if (300..<400).contains(Int(response.status.code)) {
                outcome.error = "redirects are not followed (\(response.status.code) to \(response.headers.first(name: "location") ?? "nowhere"))"
            }
            return outcome
        } catch let refusal as OutboundGuard.Refusal {
            return Outcome(status: nil, latencyMs: elapsed(), error: "refused: \(refusal.description)")
        } catch {
            let text = (error as? HTTPClientError) == .deadlineExceeded ? "no answer within \(settings.timeout)" : String(describing: error)
            return Outcome(status: nil, latencyMs: elapsed(), error: text)
        }
    }

    /// Records the attempt and what follows: success, a retry, giving up, disabling the endpoint.
    private func record(_ item: Leased, _ outcome: Outcome, endpointID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO webhook_attempts (tenant_id, id, delivery_id, endpoint_id, status_code, latency_ms, response_snippet, error)
            VALUES (\(tenantID), \(UUIDv7.make()), \(item.id), \(endpointID), \(outcome.status), \(outcome.latencyMs),
                    \(outcome.snippet), \(outcome.error))
            """, logger: logger)
        if outcome.succeeded {
            try await connection.query("""
                UPDATE webhook_deliveries SET status = 'succeeded', leased_until = NULL, last_status = \(outcome.status),
                    last_error = NULL, finished_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(item.id)
                """, logger: logger)
            try await connection.query("""
                UPDATE webhook_endpoints SET failing_since = NULL WHERE tenant_id = \(tenantID) AND id = \(endpointID) AND failing_since IS NOT NULL
                """, logger: logger)
            return
        }
        let error = outcome.error ?? "answered \(outcome.status ?? 0)"
        let gone = outcome.status == 410
        // After the last scheduled retry the delivery fails for good.
        let wait: Duration? = item.attempts <= settings.retrySchedule.count
            ? max(settings.retrySchedule[item.attempts - 1], outcome.retryAfter ?? .zero) : nil
        let reason = gone
            ? "the endpoint answered 410 Gone"
            : "every attempt failed for \(Int(Self.seconds(settings.disableAfter) / 3600)) hours or more (last: \(error))"
        if CitusWrites.enabled {
            try await recordFailureOnCitus(
                item, outcome, error: error, wait: wait, reason: reason, endpointID: endpointID, tenantID: tenantID, connection)
            return
        }
        try await connection.query("""
            UPDATE webhook_deliveries SET leased_until = NULL, last_status = \(outcome.status), last_error = \(String(error.prefix(1000))),
                status = CASE WHEN \(wait == nil && !gone) THEN 'failed' ELSE 'pending' END,
                finished_at = CASE WHEN \(wait == nil && !gone) THEN now() END,
                next_attempt_at = now() + \(wait.map(Self.seconds) ?? 0) * interval '1 second',
                attempts = CASE WHEN \(gone) THEN attempts - 1 ELSE attempts END
            WHERE tenant_id = \(tenantID) AND id = \(item.id)
            """, logger: logger)
        try await connection.query("""
            UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now()),
                enabled = CASE WHEN \(gone) OR coalesce(failing_since, now()) <= now() - \(Self.seconds(settings.disableAfter)) * interval '1 second'
                               THEN false ELSE enabled END,
                disabled_at = CASE WHEN enabled AND (\(gone) OR coalesce(failing_since, now()) <= now() - \(Self.seconds(settings.disableAfter)) * interval '1 second')
                                   THEN now() ELSE disabled_at END,
                disabled_reason = CASE WHEN enabled AND (\(gone) OR coalesce(failing_since, now()) <= now() - \(Self.seconds(settings.disableAfter)) * interval '1 second')
                                       THEN \(String(reason.prefix(1000))) ELSE disabled_reason END
            WHERE tenant_id = \(tenantID) AND id = \(endpointID)
            """, logger: logger)
    }

    /// When this endpoint next has something due (now when something is), or nil when nothing
    /// waits, or while another round holds some of its deliveries (that round queues the next).
    /// Only the oldest pending delivery of each resource counts: the others wait for it.
    func nextDue(endpointID: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> Date? {
        try await connection.query("""
            SELECT CASE WHEN bool_or(d.leased_until > now()) THEN NULL ELSE min(d.next_attempt_at) END
            FROM webhook_deliveries d JOIN webhook_endpoints w ON w.tenant_id = d.tenant_id AND w.id = d.endpoint_id AND w.enabled
            WHERE d.tenant_id = \(tenantID) AND d.endpoint_id = \(endpointID) AND d.status = 'pending'
              AND NOT EXISTS (
                  SELECT 1 FROM webhook_deliveries p
                  WHERE p.tenant_id = d.tenant_id AND p.endpoint_id = d.endpoint_id AND p.resource_id = d.resource_id
                    AND p.status = 'pending' AND (p.event_txid, p.event_seq, p.id) < (d.event_txid, d.event_seq, d.id))
            """, logger: logger
        ).first { try $0.decode(Date?.self) } ?? nil
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The start of a response body as text, for the attempt log.
    static func snippet(_ body: ByteBuffer, limit: Int) -> String? {
        guard body.readableBytes > 0 else { return nil }
        let bytes = body.getBytes(at: body.readerIndex, length: min(limit, body.readableBytes)) ?? []
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A webhook's body: the event as the feed lists it.
struct WebhookPayload: Encodable, Sendable {
    let id: UUID
    let type: String
    let occurredAt: Date
    let cursor: String
    let data: JSONValue
}
