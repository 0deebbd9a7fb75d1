import AsyncHTTPClient
import FieldlineChannels
import FieldlineDomain
import Foundation
import NIOCore
import NIOHTTP1
import PostgresNIO

/// Delivers one queued outbound message (outbox topic `message.send`) through the adapter the
/// member last wrote from (one who never wrote: the tenant's adapter for one of their
/// identities, WhatsApp first), and records the provider's message id in the same transaction that
/// completes the outbox row.
struct MessageSender: Sendable {
    let database: Database
    let adapters: any AdaptersRepository
    let http: HTTPClient
    let urls: ProviderURLs

    /// What is needed to send one message.
    struct Delivery: Sendable {
        let messageID: UUID
        let conversationID: UUID
        let text: String?
        let payload: ReplyPayload
        /// The person who wrote it; nil for messages Fieldline wrote itself.
        let authorUserID: UUID?
        let adapterID: UUID?
        let provider: String?
        let recipient: String?
        /// The member's latest inbound message in the conversation (nil when they never wrote in it).
        let lastInboundID: UUID?
        /// When the member last wrote through `adapterID` (in this conversation, else in an earlier
        /// one); nil when they never wrote: the service window runs from it.
        let lastInboundAt: Date?
        /// The kinds of the member's identities, to say why nobody could be reached.
        let identityKinds: [String]

        /// The message as every provider renders it.
        var outbound: OutboundMessage {
            OutboundMessage(
                text: text, choices: (payload.choices ?? []).map { Choice(id: $0.id, title: $0.title) },
                image: payload.image.map { MediaReference(url: $0.url) },
                location: payload.location.map { OutboundLocation(latitude: $0.latitude, longitude: $0.longitude, name: $0.name, address: $0.address) })
        }
    }

    /// Sends the message of a `message.send` row (see `SendMessage`).
    func send(_ payload: SendMessage.Payload, item: OutboxItem) async throws {
        let messageID = payload.messageID
        // A second pass only when the member wrote while we were deciding to hold: the window is open again.
        for _ in 0..<2 {
            if try await send(messageID, item: item) { return }
        }
        throw SendFailure.transient("the member kept writing while the message was being held", retryAfter: nil)
    }

    /// Sends, or holds outside the service window; false when a new inbound message changed the decision.
    private func send(_ messageID: UUID, item: OutboxItem) async throws -> Bool {
        guard let delivery = try await load(messageID, tenantID: item.tenantID) else {
            throw SendFailure.permanent("message \(messageID.uuidString.lowercased()) no longer exists")
        }
        guard delivery.provider != nil else {
            // Never wrote, and no identity of theirs has an enabled adapter of the tenant (nor the app).
            let kinds = delivery.identityKinds.isEmpty ? "none" : delivery.identityKinds.joined(separator: ", ")
            throw SendFailure.permanent("no adapter can reach the member: they have never written, and the tenant has no enabled adapter for any of their identities (\(kinds))")
        }
        guard let adapterID = delivery.adapterID, let provider = delivery.provider.flatMap(ChannelProvider.init(rawValue:)) else {
            // The member wrote through (or, never having written, is known on) the built-in app: the app reads replies from the API.
            try await record(item, messageID: messageID, providerMessageID: nil, adapterID: nil, provider: "app")
            return true
        }
        guard let recipient = delivery.recipient else { throw SendFailure.permanent("the member has no \(provider.rawValue) identity") }
        guard let account = try await adapters.account(for: adapterID, provider: provider) else {
            throw SendFailure.permanent("the adapter was disabled or removed")
        }
        let requests: [ProviderRequest]
        if let offer = delivery.payload.offer,
           case .hold(let reason) = ServiceWindow.decide(provider: provider, lastInboundAt: delivery.lastInboundAt, now: Date()) {
            // A job offer is business-initiated: outside the window only the approved offer template may carry it.
            requests = [try offerTemplate(offer, closedWindow: reason, provider: provider, to: recipient, account: account)]
        } else if let template = delivery.payload.template {
            requests = [try SendFailure.rendering { () throws(RenderError) in
                try account.providerAdapter.renderTemplate(
                    MessageTemplate(name: template.name, languageCode: template.language), to: recipient, account: account.settings)
            }]
        } else {
            switch ServiceWindow.decide(
                provider: provider, lastInboundAt: delivery.lastInboundAt, now: Date(), template: account.providerAdapter.reengagementTemplate(account.settings)
            ) {
            case .sendFreeForm:
                requests = try render(delivery, to: recipient, account: account)
            case .useTemplate(let template):
                return try await hold(item, delivery, reason: "\(ServiceWindow.closedReason(provider, lastInboundAt: delivery.lastInboundAt)); the approved template '\(template.name)' asks the member to answer, and this message goes out when they do", template: template)
            case .hold where account.providerAdapter.sendsHumanAgentTag(account.settings) && delivery.authorUserID != nil
                && ServiceWindow.allowsHumanAgentTag(lastInboundAt: delivery.lastInboundAt, now: Date()):
                // A person's reply within 7 days: Messenger allows it with the HUMAN_AGENT tag.
                requests = try render(delivery, to: recipient, account: account, messengerTag: "HUMAN_AGENT")
            case .hold(let reason):
                return try await hold(item, delivery, reason: "\(reason); this message goes out when the member writes again", template: nil)
            }
        }
        var firstID: String?
        for request in requests {
            // The sandbox phone is played by this server: what it receives is kept for its page.
            let body = account.providerAdapter.deliversInProcess
                ? try await deliverInProcess(request, to: recipient, adapterID: adapterID, tenantID: item.tenantID)
                : try await execute(request, base: urls[provider])
            // Accepted is accepted: an unreadable answer must not make us send the message again.
            if firstID == nil { firstID = try? account.providerAdapter.messageID(inSendResponse: body, recipient: recipient) }
        }
        try await record(item, messageID: messageID, providerMessageID: firstID, adapterID: adapterID, provider: provider.rawValue)
        return true
    }

    /// The account's offer template filled with the offer (order number, title, address, window;
    /// the Accept and Decline buttons answer it like the free-form message's choices). Without
    /// one the offer is refused, never sent free-form outside the window: the message fails with why.
    private func offerTemplate(
        _ offer: ReplyPayload.OfferFields, closedWindow reason: String, provider: ChannelProvider, to recipient: String, account: AdapterAccount
    ) throws -> ProviderRequest {
        guard var template = account.providerAdapter.offerTemplate(account.settings) else {
            let rule = provider == .whatsapp
                ? "the adapter has no approved offer template (config.offer_template)"
                : "\(provider.rawValue) allows no message tag for a job offer"
            throw SendFailure.permanent("\(reason); \(rule), and a job offer is never sent as a free-form message outside the window")
        }
        template.bodyParameters = [offer.orderNumber, offer.title, offer.address, offer.window]
        template.quickReplyPayloads = OfferAnswer.allCases.map { OfferChoice.id(offer.offerID, $0) }
        let filled = template
        return try SendFailure.rendering { () throws(RenderError) in
            try account.providerAdapter.renderTemplate(filled, to: recipient, account: account.settings)
        }
    }

    /// The provider requests for a free-form message; a refused render fails the message.
    private func render(_ delivery: Delivery, to recipient: String, account: AdapterAccount, messengerTag: String? = nil) throws -> [ProviderRequest] {
        try SendFailure.rendering { () throws(RenderError) in
            try account.providerAdapter.render(delivery.outbound, to: recipient, account: account.settings, messageTag: messengerTag)
        }
    }

    /// Keeps the rendered message for the sandbox phone; answers as a provider would, `{"id": …}`.
    private func deliverInProcess(_ request: ProviderRequest, to recipient: String, adapterID: UUID, tenantID: UUID) async throws -> [UInt8] {
        let id = try await PostgresSandboxPhonesRepository(database: database)
            .deliver(request.body, to: recipient, adapterID: adapterID, tenantID: tenantID)
        return Array(#"{"id":"\#(id.uuidString.lowercased())"}"#.utf8)
    }

    private func execute(_ request: ProviderRequest, base: String) async throws -> [UInt8] {
        var http = HTTPClientRequest(url: base + request.path)
        http.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let response: HTTPClientResponse
        do {
            response = try await self.http.execute(http, timeout: .seconds(15))
        } catch {
            throw SendFailure.transient("could not reach the provider: \(error)", retryAfter: nil)
        }
        let body = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let detail = "provider answered \(status): \(String(decoding: body.prefix(500), as: UTF8.self))"
            if status == 429 || status >= 500 {
                throw SendFailure.transient(detail, retryAfter: response.headers.first(name: "Retry-After").flatMap(Int.init))
            }
            throw SendFailure.permanent(detail)
        }
        return body
    }

    /// The provider accepted it: remember its id (for delivery reports) and finish the row, together.
    private func record(_ item: OutboxItem, messageID: UUID, providerMessageID: String?, adapterID: UUID?, provider: String) async throws {
        try await database.withTenant(item.tenantID) { connection in
            try await connection.query("""
                UPDATE messages SET delivery_status = 'sent', provider = \(provider), adapter_id = \(adapterID),
                    provider_message_id = \(providerMessageID), delivery_error = NULL
                WHERE tenant_id = \(item.tenantID) AND id = \(messageID) AND delivery_status = 'queued'
                """, logger: database.logger)
            try await OutboxStore.complete(item.id, on: connection, logger: database.logger)
        }
    }

    /// The message will not be delivered: say why on the message itself.
    func markFailed(_ payload: SendMessage.Payload, item: OutboxItem, reason: String) async throws {
        let messageID = payload.messageID
        try await database.withTenant(item.tenantID) { connection in
            try await connection.query("""
                UPDATE messages SET delivery_status = 'failed', delivery_error = \(String(reason.prefix(1000)))
                WHERE tenant_id = \(item.tenantID) AND id = \(messageID)
                """, logger: database.logger)
        }
    }
}
