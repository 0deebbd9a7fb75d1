import FieldlineChannels
import FieldlineDomain
import Foundation

/// Turns parsed provider events into stored messages and delivery statuses.
struct InboundProcessor: Sendable {
    /// Where delivery reports on our outbound messages are recorded.
    let conversations: any ConversationsRepository
    /// Messages go through it into the inbound pipeline, so concurrent webhooks share transactions.
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

    /// The pipeline's input for a parsed provider message that came through `account`.
    func input(for message: InboundMessage, account: AdapterAccount) -> InboundMessageInput {
        let content = Self.content(message.content)
        var input = InboundMessageInput(
            provider: .channel(message.provider), sender: message.sender, providerMessageID: message.providerMessageID,
            kind: content.kind, text: content.text.map { String($0.prefix(MessageLimits.maxBodyCharacters)) }, payload: content.payload)
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

    /// Kind, text and JSON payload of a message's content; absent values are left out of the payload.
    static func content(_ content: MessageContent) -> StoredContent {
        switch content {
        case .text(let text):
            return StoredContent(kind: .text, text: text, payload: [:])
        case .image(let media, let caption):
            return StoredContent(kind: .image, text: caption, payload: payload(media: media))
        case .document(let media, let filename, let caption):
            return StoredContent(kind: .document, text: caption, payload: payload(media: media, ["filename": filename]))
        case .location(let latitude, let longitude, let name, let address):
            return StoredContent(kind: .location, text: name, payload: object([
                "latitude": .number(latitude), "longitude": .number(longitude), "name": name.map(JSONValue.string),
                "address": address.map(JSONValue.string),
            ]))
        case .choice(let id, let title):
            return StoredContent(kind: .choice, text: title ?? id, payload: object(["choice_id": .string(id), "title": title.map(JSONValue.string)]))
        case .unsupported(let type, let raw):
            return StoredContent(kind: .unsupported, text: nil, payload: ["type": .string(type), "raw": .string(raw)])
        }
    }

    private static func payload(media: MediaReference, _ extra: [String: String?] = [:]) -> JSONValue {
        var fields: [String: JSONValue?] = [
            "media_id": media.providerMediaID.map(JSONValue.string), "url": media.url.map(JSONValue.string),
            "mime_type": media.mimeType.map(JSONValue.string), "sha256": media.sha256.map(JSONValue.string),
        ]
        for (key, value) in extra { fields[key] = value.map(JSONValue.string) }
        return object(fields)
    }

    /// An object of the fields that have a value.
    private static func object(_ fields: [String: JSONValue?]) -> JSONValue {
        .object(fields.compactMapValues { $0 })
    }
}
