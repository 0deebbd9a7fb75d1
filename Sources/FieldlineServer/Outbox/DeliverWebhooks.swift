import Foundation

/// `webhook.deliver`: delivers what is due for one webhook endpoint (`WebhookDeliverer`), then
/// queues itself again for when the next delivery of that endpoint falls due. One row per
/// endpoint at a time does the work, so a slow or dead endpoint holds one worker slot for at
/// most one timeout and never delays another endpoint's deliveries.
struct DeliverWebhooks: OutboxJob {
    static let topic = "webhook.deliver"

    struct Payload: Codable, Sendable {
        let endpointID: UUID
        enum CodingKeys: String, CodingKey { case endpointID = "endpoint_id" }
    }

    let deliverer: WebhookDeliverer

    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        try await deliverer.deliver(endpointID: payload.endpointID, tenantID: item.tenantID)
        let deliverer = self.deliverer
        try await deliverer.database.completing(item) { connection in
            guard let due = try await deliverer.nextDue(endpointID: payload.endpointID, tenantID: item.tenantID, connection) else { return }
            try await Outbox.enqueue(
                DeliverWebhooks.self, payload, availableAt: due, duplicates: .skipIfPending(key: "endpoint_id"),
                tenantID: item.tenantID, on: connection, logger: deliverer.logger)
        }
    }
}
