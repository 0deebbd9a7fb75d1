import FieldlineChannels
import FieldlineDomain
import Foundation

/// Turns parsed provider events into stored messages and delivery statuses.
struct InboundProcessor: Sendable {
    let conversations: any ConversationsRepository
    /// Messages go through it, so concurrent webhooks share transactions.
    let batcher: IngestBatcher

    /// Stores every event of one webhook for `account`; returns how many were new messages.
    func process(_ events: [InboundEvent], account: AdapterAccount) async throws -> Int {
        var stored = 0
        for event in events {
            switch event {
            case .message(let message):
                let result = try await batcher.ingest(input(for: message, account: account), tenantID: account.tenantID)
                if !result.duplicate { stored += 1 }
            case .status(let update):
                guard let providerMessageID = update.providerMessageID else {
                    // A bare watermark ("read up to t") names no message; per-message receipts
                    // carry what agents need, so it is not applied.
                    continue
                }
                try await conversations.applyDeliveryStatus(
                    DeliveryStatus(rawValue: update.status.rawValue) ?? .sent, providerMessageID: providerMessageID,
                    error: [update.errorCode, update.errorMessage].compactMap { $0 }.joined(separator: ": "),
                    provider: account.adapter.provider, adapterID: account.adapter.id, tenantID: account.tenantID)
            }
        }
        return stored
    }

    func input(for message: InboundMessage, account: AdapterAccount) throws -> InboundMessageInput {
        let (kind, text, payload) = Self.content(message.content)
        var input = InboundMessageInput(
            provider: message.provider.rawValue,
            identityKind: IdentityKind(rawValue: message.provider.rawValue) ?? .app,
            sender: message.sender, providerMessageID: message.providerMessageID, kind: kind,
            text: text.map { String($0.prefix(MessageLimits.maxBodyCharacters)) }, payload: payload)
        input.adapterID = account.adapter.id
        input.unknownSenderOrganizationID = account.adapter.unverifiedOrganizationId
        input.senderName = message.senderName
        input.media = Self.media(message.content)
        input.replyToProviderMessageID = message.replyToProviderMessageID
        return input
    }

    /// Where the file of an image or document message can be fetched; nil for other contents.
    static func media(_ content: MessageContent) -> InboundMediaInput? {
        let reference: MediaReference
        switch content {
        case .image(let media, _), .document(let media, _, _): reference = media
        default: return nil
        }
        guard reference.providerMediaID != nil || reference.url != nil else { return nil }
        return InboundMediaInput(
            providerMediaID: reference.providerMediaID, url: reference.url, declaredType: reference.mimeType,
            declaredSHA256: reference.sha256)
    }

    /// Kind, text and JSON payload of a message's content.
    static func content(_ content: MessageContent) -> (MessageKind, String?, String) {
        switch content {
        case .text(let text):
            return (.text, text, "{}")
        case .image(let media, let caption):
            return (.image, caption, json(media: media, extra: [:]))
        case .document(let media, let filename, let caption):
            return (.document, caption, json(media: media, extra: ["filename": filename]))
        case .location(let latitude, let longitude, let name, let address):
            return (.location, name, json(["latitude": latitude, "longitude": longitude, "name": name as Any, "address": address as Any]))
        case .choice(let id, let title):
            return (.choice, title ?? id, json(["choice_id": id, "title": title as Any]))
        case .unsupported(let type, let raw):
            return (.unsupported, nil, json(["type": type, "raw": raw]))
        }
    }

    private static func json(media: MediaReference, extra: [String: String?]) -> String {
        var object: [String: Any] = [
            "media_id": media.providerMediaID as Any, "url": media.url as Any,
            "mime_type": media.mimeType as Any, "sha256": media.sha256 as Any,
        ]
        for (key, value) in extra { object[key] = value as Any }
        return json(object)
    }

    private static func json(_ object: [String: Any]) -> String {
        let cleaned = object.compactMapValues { value -> Any? in
            if case Optional<Any>.none = value { return nil }
            return value
        }
        let data = (try? JSONSerialization.data(withJSONObject: cleaned, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
