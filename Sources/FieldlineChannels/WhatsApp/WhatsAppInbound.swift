import Foundation

/// Reads WhatsApp Cloud API webhooks into `InboundEvent`s: messages and statuses
/// (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
/// and its `/status` page).
///
/// One webhook may batch several entries, changes, messages and statuses; all are returned in order.
/// Verify the `X-Hub-Signature-256` header with `HubSignature` before calling this.
public enum WhatsAppInbound {
    /// Parses a webhook body. Throws only when the body is not JSON or not a WhatsApp envelope;
    /// message kinds we do not model become `.unsupported`, and statuses we do not track are skipped.
    public static func parse(_ body: some Collection<UInt8>) throws(ChannelParseError) -> [InboundEvent] {
        let root = try JSONValue.parse(body, provider: .whatsapp)
        guard root.members != nil else {
            throw .unexpectedPayload(provider: .whatsapp, detail: "the body is not a JSON object")
        }
        if let object = root["object"]?.string, object != "whatsapp_business_account" {
            throw .unexpectedPayload(provider: .whatsapp, detail: "object is '\(object)'")
        }
        var events: [InboundEvent] = []
        for entry in root["entry"]?.elements ?? [] {
            for change in entry["changes"]?.elements ?? [] {
                guard let value = change["value"] else { continue }
                events += messages(in: value).map(InboundEvent.message)
                events += (value["statuses"]?.elements ?? []).compactMap(status).map(InboundEvent.status)
            }
        }
        return events
    }

    /// The messages of one `change.value`, with the sender's profile name from `contacts`.
    static func messages(in value: JSONValue) -> [InboundMessage] {
        let contacts = value["contacts"]?.elements ?? []
        return (value["messages"]?.elements ?? []).compactMap { message in
            guard let id = message["id"]?.text, let from = message["from"]?.text else { return nil }
            let contact = contacts.first { $0["wa_id"]?.text == from } ?? (contacts.count == 1 ? contacts.first : nil)
            return InboundMessage(
                provider: .whatsapp, providerMessageID: id, sender: SenderID.phone(from),
                senderName: contact?["profile"]?["name"]?.string,
                sentAt: SenderID.date(message["timestamp"]),
                content: WhatsAppContent.content(of: message),
                replyToProviderMessageID: message["context"]?["id"]?.text)
        }
    }

    /// One element of `statuses[]`, or `nil` for a status we do not track (e.g. `played`).
    static func status(_ status: JSONValue) -> DeliveryStatusUpdate? {
        guard let id = status["id"]?.text, let raw = status["status"]?.string,
            let state = DeliveryStatus(rawValue: raw)
        else { return nil }
        let error = status["errors"]?[0]
        return DeliveryStatusUpdate(
            provider: .whatsapp, providerMessageID: id, status: state,
            at: SenderID.date(status["timestamp"]),
            errorCode: error?["code"]?.text,
            errorMessage: error?["error_data"]?["details"]?.string ?? error?["message"]?.string
                ?? error?["title"]?.string,
            recipient: status["recipient_id"]?.text.map(SenderID.phone))
    }
}
