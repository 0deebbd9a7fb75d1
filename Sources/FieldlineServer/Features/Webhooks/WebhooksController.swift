import FieldlineChannels
import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/hooks/{provider}/{adapterId}`: where providers deliver webhooks. Each request is verified
/// with the adapter's own secret before anything is read; a bad or missing signature is a 401 and
/// nothing is stored. Messages are committed before the 200, so a crash after it loses nothing and
/// a provider retry before it is deduplicated.
struct WebhooksController: Sendable {
    let adapters: any AdaptersRepository
    let processor: InboundProcessor
    let publicURL: String
    /// Budgets per adapter, charged by signed webhooks only (a forged one cannot spend it).
    let limiter: RateLimiter
    let limit: RateLimit

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("hooks/{provider}/{adapterId}", use: handshake)
        group.post("hooks/{provider}/{adapterId}", use: receive)
    }

    /// A provider's subscription handshake (Meta's `hub.challenge`, echoed when the verify token
    /// matches); 405 for providers whose webhooks are POST only.
    @Sendable func handshake(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await account(context)
        let query = HubChallenge.query(raw: request.uri.query ?? "")
        switch account.providerAdapter.handshake(query: query, account: account.settings) {
        case .unsupported:
            throw APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(account.provider.rawValue) webhooks use POST only")
        case .accept(let challenge):
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: challenge)))
        case .reject(let reason):
            throw APIError(.forbidden, code: "verification_failed", message: reason)
        }
    }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await account(context)
        let raw: [UInt8]
        do {
            raw = Array(buffer: try await request.body.collect(upTo: context.maxUploadSize))
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the webhook body is too large")
        }
        let events: [InboundEvent]
        do {
            events = try verifyAndParse(request, raw: raw, account: account)
        } catch let error as SignatureError {
            context.logger.warning("webhook signature refused", metadata: ["adapter": .string(account.adapter.id.uuidString), "reason": .string(error.description)])
            throw APIError(.unauthorized, code: "invalid_signature", message: "the webhook signature is missing or does not match")
        } catch let error as ChannelParseError {
            throw APIError(.badRequest, code: "invalid_payload", message: error.description)
        }
        if let seconds = limiter.acquire("webhook:\(account.adapter.id)", limit: limit) {
            throw APIError.rateLimited("this adapter's webhooks", retryAfter: seconds)
        }
        let stored = try await processor.process(events, account: account)
        context.logger.info("webhook stored", metadata: ["events": .stringConvertible(events.count), "new_messages": .stringConvertible(stored)])
        let answer = account.providerAdapter.webhookAnswer(eventCount: events.count)
        return Response(status: .ok, headers: [.contentType: answer.contentType], body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }

    /// Checks the webhook with the account's secret, then reads its events, as its provider does.
    private func verifyAndParse(_ request: Request, raw: [UInt8], account: AdapterAccount) throws -> [InboundEvent] {
        let headers = request.headers
        // Twilio signs the URL it called, which is our public URL plus the path and query.
        let webhook = InboundWebhook(body: raw, url: publicURL + request.uri.description) { name in
            HTTPField.Name(name).flatMap { headers[$0] }
        }
        return try account.providerAdapter.verifiedEvents(webhook, account: account.settings)
    }

    private func account(_ context: AppRequestContext) async throws -> AdapterAccount {
        guard let provider = context.parameters.get("provider").flatMap(ChannelProvider.init(rawValue:)),
              let id = context.parameters.get("adapterId").flatMap(UUID.init(uuidString:)),
              let account = try await adapters.account(for: id, provider: provider)
        else { throw APIError.notFound("adapter") }
        return account
    }
}

extension HTTPField.Name {
    /// Telegram's webhook secret header.
    static let telegramSecretToken = HTTPField.Name("X-Telegram-Bot-Api-Secret-Token")!
}
