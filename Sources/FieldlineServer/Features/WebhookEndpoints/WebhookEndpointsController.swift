import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/webhook-endpoints`: where a tenant's business events are pushed as signed webhooks
/// (Standard Webhooks), with every delivery and attempt visible and any event re-sendable.
/// Requires webhooks:manage. See docs/events.md#webhooks.
struct WebhookEndpointsController: Sendable {
    let repository: PostgresWebhookEndpointsRepository

    struct CreateRequest: RequestBody {
        let url: String
        let eventTypes: [String]
        let description: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case url, eventTypes = "event_types", description }
    }

    struct UpdateRequest: RequestBody {
        var changes = WebhookEndpointChanges()
        enum CodingKeys: String, CodingKey, CaseIterable { case url, eventTypes = "event_types", description, enabled }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            changes.url = try container.decodeIfPresent(String.self, forKey: .url)
            changes.eventTypes = try container.decodeIfPresent([String].self, forKey: .eventTypes)
            changes.description = try container.decodeUpdate(String.self, forKey: .description)
            changes.enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled)
        }
    }

    struct RotateRequest: RequestBody {
        /// How long the secrets before the new one keep signing (default a day, at most a week).
        let graceSeconds: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case graceSeconds = "grace_seconds" }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("webhook-endpoints", use: create)
        group.get("webhook-endpoints", use: list)
        group.get("webhook-endpoints/{id}", use: get)
        group.patch("webhook-endpoints/{id}", use: update)
        group.delete("webhook-endpoints/{id}", use: delete)
        group.post("webhook-endpoints/{id}/rotate-secret", use: rotate)
        group.get("webhook-endpoints/{id}/deliveries", use: deliveries)
        group.post("webhook-endpoints/{id}/deliveries/{delivery_id}/resend", use: resendDelivery)
        group.post("webhook-endpoints/{id}/events/{event_id}/resend", use: resendEvent)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<EndpointWithSecret> {
        let principal = try context.require(.webhooksManage)
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let types = try BusinessEventType.parse(body.eventTypes, field: "event_types").map(\.rawValue)
        guard !types.isEmpty else { throw ValidationError(field: "event_types", message: "name at least one event type (or a family such as job.*)") }
        let url = try await checkedURL(body.url, tenantID: principal.tenantID)
        let made = try await repository.create(
            url: url, description: try Validate.optionalText(body.description, field: "description", maxLength: 500),
            eventTypes: types, tenantID: principal.tenantID)
        return EditedResponse.created(made, location: "/v1/webhook-endpoints/\(made.endpoint.id.uuidString.lowercased())").noStore()
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ItemList<WebhookEndpoint> {
        let principal = try context.require(.webhooksManage)
        return ItemList(data: try await repository.list(tenantID: principal.tenantID))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> WebhookEndpoint {
        let principal = try context.require(.webhooksManage)
        let id = try context.parameters.uuid("id", "webhook endpoint")
        guard let endpoint = try await repository.get(id, tenantID: principal.tenantID) else { throw APIError.notFound("webhook endpoint") }
        return endpoint
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> WebhookEndpoint {
        let principal = try context.require(.webhooksManage)
        let id = try context.parameters.uuid("id", "webhook endpoint")
        var changes = try await JSONBody.decode(UpdateRequest.self, from: request, context: context).changes
        if let url = changes.url { changes.url = try await checkedURL(url, tenantID: principal.tenantID) }
        if let types = changes.eventTypes {
            changes.eventTypes = try BusinessEventType.parse(types, field: "event_types").map(\.rawValue)
            guard changes.eventTypes?.isEmpty == false else { throw ValidationError(field: "event_types", message: "name at least one event type") }
        }
        changes.description = try changes.description.flatMap { try Validate.optionalText($0, field: "description", maxLength: 500) }
        guard let endpoint = try await repository.update(id, changes, by: principal.reference, tenantID: principal.tenantID) else {
            throw APIError.notFound("webhook endpoint")
        }
        return endpoint
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.webhooksManage)
        let id = try context.parameters.uuid("id", "webhook endpoint")
        guard try await repository.delete(id, tenantID: principal.tenantID) else { throw APIError.notFound("webhook endpoint") }
        return .noContent
    }

    @Sendable func rotate(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<EndpointWithSecret> {
        let principal = try context.require(.webhooksManage)
        let id = try context.parameters.uuid("id", "webhook endpoint")
        let body = try await JSONBody.decode(RotateRequest.self, from: request, context: context)
        let grace = body.graceSeconds ?? 86_400
        guard (0...604_800).contains(grace) else {
            throw ValidationError(field: "grace_seconds", message: "grace_seconds must be from 0 to 604800 (a week)")
        }
        guard let rotated = try await repository.rotate(id, grace: .seconds(grace), tenantID: principal.tenantID) else {
            throw APIError.notFound("webhook endpoint")
        }
        return EditedResponse(status: .ok, response: rotated).noStore()
    }

    @Sendable func deliveries(_ request: Request, context: AppRequestContext) async throws -> Page<WebhookDelivery> {
        let principal = try context.require(.webhooksManage)
        let id = try context.parameters.uuid("id", "webhook endpoint")
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let status = try query.oneOf("status", DeliveryState.self)
        guard let found = try await repository.deliveries(of: id, status: status?.rawValue, page: page, tenantID: principal.tenantID) else {
            throw APIError.notFound("webhook endpoint")
        }
        return Page(fetched: found, limit: page.limit, id: \.id)
    }

    @Sendable func resendDelivery(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<WebhookDelivery> {
        let principal = try context.require(.webhooksManage)
        let id = try context.parameters.uuid("id", "webhook endpoint")
        let deliveryID = try context.parameters.uuid("delivery_id", "delivery")
        guard let eventID = try await repository.event(ofDelivery: deliveryID, endpoint: id, tenantID: principal.tenantID) else {
            throw APIError.notFound("delivery")
        }
        return try await resend(eventID, to: id, tenantID: principal.tenantID)
    }

    @Sendable func resendEvent(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<WebhookDelivery> {
        let principal = try context.require(.webhooksManage)
        let id = try context.parameters.uuid("id", "webhook endpoint")
        let eventID = try context.parameters.uuid("event_id", "event")
        return try await resend(eventID, to: id, tenantID: principal.tenantID)
    }

    private func resend(_ eventID: UUID, to id: UUID, tenantID: UUID) async throws -> EditedResponse<WebhookDelivery> {
        guard try await repository.get(id, tenantID: tenantID) != nil else { throw APIError.notFound("webhook endpoint") }
        guard let delivery = try await repository.resend(event: eventID, to: id, tenantID: tenantID) else { throw APIError.notFound("event") }
        return .created(delivery, location: nil)
    }

    /// The URL as given, if the outbound guard lets the tenant reach it (422 `url_not_allowed` otherwise).
    private func checkedURL(_ raw: String, tenantID: UUID) async throws -> String {
        let url = raw.trimmingCharacters(in: .whitespaces)
        guard Validate.fits(url, maxLength: 2000) else { throw ValidationError(field: "url", message: "url must be at most 2000 characters") }
        do {
            _ = try await OutboundGuard(allowPrivate: try await repository.developmentMode(tenantID)).check(url)
        } catch let refusal as OutboundGuard.Refusal {
            throw ValidationError(field: "url", code: "url_not_allowed", message: refusal.description)
        }
        return url
    }
}

/// The states a delivery can be listed by.
enum DeliveryState: String, CaseIterable, Sendable {
    case pending, succeeded, failed
}
