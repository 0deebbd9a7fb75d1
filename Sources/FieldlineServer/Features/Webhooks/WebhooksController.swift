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

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("hooks/{provider}/{adapterId}", use: handshake)
        group.post("hooks/{provider}/{adapterId}", use: receive)
    }

    /// Meta's subscription handshake (WhatsApp, Messenger): echo `hub.challenge` when the verify
    /// token matches.
    @Sendable func handshake(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await account(context)
        guard account.provider == .whatsapp || account.provider == .messenger, let token = account.secrets.verifyToken else {
            throw APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(account.provider.rawValue) webhooks use POST only")
        }
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        switch HubChallenge.decide(query: query, verifyToken: token) {
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
        let stored = try await processor.process(events, account: account)
        context.logger.info("webhook stored", metadata: ["events": .stringConvertible(events.count), "new_messages": .stringConvertible(stored)])
        if account.provider == .sms {
            return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: TwiML.messagingResponse())))
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"received":\#(events.count)}"#)))
    }

    private func verifyAndParse(_ request: Request, raw: [UInt8], account: AdapterAccount) throws -> [InboundEvent] {
        let secrets = account.secrets
        switch account.provider {
        case .whatsapp:
            try HubSignature.verify(rawBody: raw, header: request.headers[HTTPField.Name(HubSignature.headerName)!], appSecret: secrets.signingSecret)
            return try WhatsAppInbound.parse(raw)
        case .messenger:
            try HubSignature.verify(rawBody: raw, header: request.headers[HTTPField.Name(HubSignature.headerName)!], appSecret: secrets.signingSecret)
            return try MessengerInbound.parse(raw)
        case .telegram:
            try TelegramSecretToken.verify(header: request.headers[.telegramSecretToken], secret: secrets.signingSecret)
            return try TelegramInbound.parse(raw)
        case .sms:
            let isJSON = request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false
            let body: TwilioWebhookBody = isJSON ? .json(raw) : .form(FormEncoding.decode(raw))
            // Twilio signs the URL it called, which is our public URL plus the path and query.
            try TwilioSignature.verify(url: publicURL + request.uri.description, body: body,
                                       header: request.headers[HTTPField.Name(TwilioSignature.headerName)!], authToken: secrets.signingSecret)
            guard case .form(let fields) = body else { return [] }
            return TwilioInbound.parse(fields: fields)
        }
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
