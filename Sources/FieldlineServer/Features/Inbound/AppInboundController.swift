import FieldlineChannels
import FieldlineDomain
import Foundation
import Hummingbird

/// `POST /v1/app/messages`: the built-in `app` adapter. A first-party app or web chat posts
/// what a member wrote, with an API key holding `inbound:write`. The message is committed
/// before the answer, and a repeated `provider_message_id` is answered with the first result.
struct AppInboundController: Sendable {
    /// Where the message is stored: the inbound pipeline, as for every provider.
    let pipeline: any InboundIngest
    /// The caller's budget for this route, beside their overall one.
    let limiter: RateLimiter
    let limit: RateLimit

    struct InboundRequest: RequestBody {
        let sender: String
        let providerMessageId: String
        let text: String?
        let choiceId: String?
        let latitude: Double?
        let longitude: Double?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case sender, providerMessageId = "provider_message_id", text, choiceId = "choice_id", latitude, longitude
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("app/messages", use: ingest)
    }

    @Sendable func ingest(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<IngestResult> {
        let principal = try context.require(.inboundWrite)
        if let seconds = limiter.acquire("app_messages:\(principal.reference)", limit: limit) {
            throw APIError.rateLimited("POST /v1/app/messages with this credential", retryAfter: seconds)
        }
        let body = try await JSONBody.decode(InboundRequest.self, from: request, context: context)
        let input = InboundMessageInput(
            provider: .app,
            sender: try IdentityKind.app.normalize(externalID: body.sender, field: "sender"),
            providerMessageID: try Validate.name(body.providerMessageId, field: "provider_message_id"),
            kind: try Self.kind(of: body), text: try body.text.map { try MessageLimits.body($0) },
            payload: try Self.payload(of: body))
        let result = try await pipeline.ingest(input, tenantID: principal.tenantID)
        return EditedResponse(status: result.duplicate ? .ok : .created, response: result)
    }

    static func kind(of body: InboundRequest) throws -> MessageKind {
        if body.latitude != nil || body.longitude != nil { return .location }
        if body.choiceId != nil { return .choice }
        guard body.text != nil else {
            throw ValidationError(field: "text", code: "missing_field", message: "send text, choice_id, or latitude and longitude")
        }
        return .text
    }

    static func payload(of body: InboundRequest) throws -> JSONValue {
        var object: [String: JSONValue] = [:]
        if body.latitude != nil || body.longitude != nil {
            let point = try GeoPoint(latitude: body.latitude ?? .nan, longitude: body.longitude ?? .nan)
            object["latitude"] = .number(point.latitude)
            object["longitude"] = .number(point.longitude)
        }
        if let choice = body.choiceId { object["choice_id"] = .string(try Validate.name(choice, field: "choice_id", maxLength: 200)) }
        return .object(object)
    }
}
