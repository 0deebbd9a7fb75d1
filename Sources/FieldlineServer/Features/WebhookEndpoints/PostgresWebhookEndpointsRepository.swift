import FieldlineChannels
import FieldlineDomain
import Foundation
import NIOCore
import PostgresNIO

/// A change to an endpoint (`PATCH`): absent fields stay.
struct WebhookEndpointChanges: Sendable {
    var url: String?
    var description: FieldUpdate<String> = .unchanged
    var eventTypes: [String]?
    /// true re-enables (clearing the reason and the failure streak), false disables by hand.
    var enabled: Bool?
}

/// Webhook endpoints, their secrets and deliveries on PostgreSQL.
struct PostgresWebhookEndpointsRepository: Sendable {
    let database: Database
    let cipher: CredentialCipher

    var logger: Logger { database.logger }

    /// Whether the tenant may reach private and loopback addresses (`tenants.development_mode`).
    func developmentMode(_ tenantID: UUID) async throws -> Bool {
        try await database.client.query("SELECT development_mode FROM tenants WHERE id = \(tenantID)", logger: logger)
            .first { try $0.decode(Bool.self) } ?? false
    }

    func create(url: String, description: String?, eventTypes: [String], tenantID: UUID) async throws -> EndpointWithSecret {
        let id = UUIDv7.make()
        let secret = StandardWebhookSignature.makeSecret()
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                INSERT INTO webhook_endpoints (tenant_id, id, url, description, event_types)
                VALUES (\(tenantID), \(id), \(url), \(description), \(eventTypes))
                """, logger: logger)
            try await addSecret(secret, to: id, tenantID: tenantID, connection)
            guard let endpoint = try await fetch(id, tenantID: tenantID, connection) else { throw MissingRowError(what: "new webhook endpoint") }
            return EndpointWithSecret(endpoint: endpoint, secret: secret)
        }
    }

    func list(tenantID: UUID) async throws -> [WebhookEndpoint] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(Self.listQuery(tenantID: tenantID), logger: logger).collect(WebhookEndpoint.init(row:))
        }
    }

    func get(_ id: UUID, tenantID: UUID) async throws -> WebhookEndpoint? {
        try await database.withTenant(tenantID) { try await fetch(id, tenantID: tenantID, $0) }
    }

    func update(_ id: UUID, _ changes: WebhookEndpointChanges, by actor: String, tenantID: UUID) async throws -> WebhookEndpoint? {
        try await database.withTenant(tenantID) { connection in
            guard let current = try await fetch(id, tenantID: tenantID, connection, lock: true) else { return nil }
            let enabling = changes.enabled == true && !current.enabled
            let disabling = changes.enabled == false && current.enabled
            try await connection.query("""
                UPDATE webhook_endpoints SET url = \(changes.url ?? current.url),
                    description = \(changes.description.applied(to: current.description)),
                    event_types = \(changes.eventTypes ?? current.eventTypes),
                    enabled = \(changes.enabled ?? current.enabled),
                    disabled_reason = CASE WHEN \(enabling) THEN NULL WHEN \(disabling) THEN \("disabled by \(actor)") ELSE disabled_reason END,
                    disabled_at = CASE WHEN \(enabling) THEN NULL WHEN \(disabling) THEN now() ELSE disabled_at END,
                    failing_since = CASE WHEN \(enabling) THEN NULL ELSE failing_since END,
                    updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: logger)
            if enabling {
                // What waited while it was disabled goes out now, in order, from a fresh retry count.
                try await connection.query("""
                    UPDATE webhook_deliveries SET next_attempt_at = now(), attempts = 0
                    WHERE tenant_id = \(tenantID) AND endpoint_id = \(id) AND status = 'pending'
                    """, logger: logger)
                try await wake(id, tenantID: tenantID, connection)
            }
            return try await fetch(id, tenantID: tenantID, connection)
        }
    }

    func delete(_ id: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "DELETE FROM webhook_endpoints WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING 1", logger: logger
            ).any()
        }
    }

    /// A new secret for the endpoint; the ones before it keep signing for `grace`.
    func rotate(_ id: UUID, grace: Duration, tenantID: UUID) async throws -> EndpointWithSecret? {
        let secret = StandardWebhookSignature.makeSecret()
        return try await database.withTenant(tenantID) { connection in
            guard try await fetch(id, tenantID: tenantID, connection, lock: true) != nil else { return nil }
            try await connection.query("""
                UPDATE webhook_secrets SET expires_at = least(coalesce(expires_at, 'infinity'), now() + \(Double(grace.components.seconds)) * interval '1 second')
                WHERE tenant_id = \(tenantID) AND endpoint_id = \(id)
                """, logger: logger)
            // Expired ones are of no use any more.
            try await connection.query("""
                DELETE FROM webhook_secrets WHERE tenant_id = \(tenantID) AND endpoint_id = \(id) AND expires_at <= now()
                """, logger: logger)
            try await addSecret(secret, to: id, tenantID: tenantID, connection)
            try await connection.query("UPDATE webhook_endpoints SET updated_at = now() WHERE tenant_id = \(tenantID) AND id = \(id)", logger: logger)
            guard let endpoint = try await fetch(id, tenantID: tenantID, connection) else { return nil }
            return EndpointWithSecret(endpoint: endpoint, secret: secret)
        }
    }

    /// The endpoint's deliveries, newest first; nil when there is no such endpoint.
    func deliveries(of id: UUID, status: String?, page: PageRequest, tenantID: UUID) async throws -> [WebhookDelivery]? {
        try await database.withTenant(tenantID) { connection in
            guard try await fetch(id, tenantID: tenantID, connection) != nil else { return nil }
            return try await connection.query(Self.deliveriesQuery(of: id, status: status, page: page, tenantID: tenantID), logger: logger)
                .collect(WebhookDelivery.init(row:))
        }
    }

    /// Sends event `eventID` to the endpoint again (any event of the tenant, delivered before or
    /// not), as a new delivery with the event's id; nil when the endpoint or event is unknown.
    func resend(event eventID: UUID, to id: UUID, tenantID: UUID) async throws -> WebhookDelivery? {
        try await database.withTenant(tenantID) { connection in
            guard try await fetch(id, tenantID: tenantID, connection) != nil else { return nil }
            let deliveryID = UUIDv7.make()
            let made = try await connection.query("""
                INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, resource_id, event_txid, event_seq, resend)
                SELECT e.tenant_id, \(deliveryID), \(id), e.id, e.resource_id, e.txid, e.seq, true
                FROM events e WHERE e.tenant_id = \(tenantID) AND e.id = \(eventID)
                RETURNING 1
                """, logger: logger
            ).any()
            guard made else { return nil }
            try await wake(id, tenantID: tenantID, connection)
            return try await connection.query("""
                SELECT \(columns: WebhookDelivery.columns, tenant: tenantID) FROM webhook_deliveries d WHERE d.tenant_id = \(tenantID) AND d.id = \(deliveryID)
                """, logger: logger
            ).first(WebhookDelivery.init(row:))
        }
    }

    /// The event a delivery of the endpoint carried, for a re-send of that delivery.
    func event(ofDelivery deliveryID: UUID, endpoint id: UUID, tenantID: UUID) async throws -> UUID? {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT event_id FROM webhook_deliveries WHERE tenant_id = \(tenantID) AND endpoint_id = \(id) AND id = \(deliveryID)
                """, logger: logger
            ).first { try $0.decode(UUID.self) }
        }
    }

    /// Queues the endpoint's pump unless one is already due.
    func wake(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await Outbox.enqueue(
            DeliverWebhooks.self, .init(endpointID: id), duplicates: .skipIfPending(key: "endpoint_id"),
            tenantID: tenantID, on: connection, logger: logger)
    }

    private func addSecret(_ secret: String, to id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws {
        let secretID = UUIDv7.make()
        let sealed = ByteBuffer(bytes: try cipher.seal(Array(secret.utf8), adapterID: secretID))
        try await connection.query("""
            INSERT INTO webhook_secrets (tenant_id, endpoint_id, id, sealed) VALUES (\(tenantID), \(id), \(secretID), \(sealed))
            """, logger: logger)
    }

    /// The live secrets of an endpoint, newest first.
    func secrets(of id: UUID, tenantID: UUID, _ connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT id, sealed FROM webhook_secrets
            WHERE tenant_id = \(tenantID) AND endpoint_id = \(id) AND (expires_at IS NULL OR expires_at > now())
            ORDER BY id DESC
            """, logger: logger
        ).collect { try $0.decode((UUID, ByteBuffer).self) }
        return try rows.map { String(decoding: try cipher.open(Array($0.1.readableBytesView), adapterID: $0.0), as: UTF8.self) }
    }

    func fetch(_ id: UUID, tenantID: UUID, _ connection: PostgresConnection, lock: Bool = false) async throws -> WebhookEndpoint? {
        try await connection.query(Self.fetchQuery(id, tenantID: tenantID, lock: lock), logger: logger).first(WebhookEndpoint.init(row:))
    }
}
